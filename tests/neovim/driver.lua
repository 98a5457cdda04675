-- Run by tests/test_lsp_neovim.py after the documented config (docs/integrations.md) is loaded:
-- open $SMIL_FILE (with $SMIL_ONLY_OPEN=1 only that), then read the diagnostics back at each step and write them to $SMIL_OUT as JSON.
-- Every wait is bounded by $SMIL_TIMEOUT_MS; whatever happens, the result is written and nvim quits.
local timeout = tonumber(vim.env.SMIL_TIMEOUT_MS) or 15000
local result = { steps = {} }

local function raw(diagnostic)
  -- the protocol's diagnostic as the server sent it (Neovim keeps it in user_data.lsp)
  return diagnostic.user_data and diagnostic.user_data.lsp or {}
end

local function snapshot(buf, name)
  local items = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = raw(d)
    table.insert(items, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      code = d.code, source = d.source, message = d.message, severity = d.severity,
      href = lsp.codeDescription and lsp.codeDescription.href or vim.NIL,
    })
  end
  table.insert(result.steps, { name = name, diagnostics = items,
                               lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false) })
end

local function wait_for(buf, name, predicate)
  local ok = vim.wait(timeout, function() return predicate(vim.diagnostic.get(buf)) end, 20)
  snapshot(buf, name)
  if not ok then error("timed out waiting for: " .. name) end
end

local function flag_row(buf)
  for row, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line:find("EnableInterContainerTrafficEncryption:", 1, true) then return row - 1, line end
  end
  error("no flag line in the buffer")
end

local function run()
  vim.cmd("edit " .. vim.fn.fnameescape(vim.env.SMIL_FILE))
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[buf].filetype
  result.clients = {}
  local attached = vim.wait(timeout, function() return next(vim.lsp.buf_get_clients(buf)) ~= nil end, 20)
  for _, client in pairs(vim.lsp.buf_get_clients(buf)) do table.insert(result.clients, client.name) end
  if not attached then error("no language server attached to the buffer") end

  -- 1. on open: the finding
  wait_for(buf, "open", function(found) return #found > 0 end)
  if vim.env.SMIL_ONLY_OPEN == "1" then return end

  -- 2. an unsaved edit that sets the flag to true clears it; setting it back to false flags it again
  local row, line = flag_row(buf)
  vim.api.nvim_buf_set_lines(buf, row, row + 1, false, { (line:gsub(": false", ": true", 1)) })
  wait_for(buf, "edited-true", function(found) return #found == 0 end)
  vim.api.nvim_buf_set_lines(buf, row, row + 1, false, { line })
  wait_for(buf, "edited-false", function(found) return #found > 0 end)

  -- 3. the quick fix, asked for through the client and applied by it, clears the finding
  -- the protocol's diagnostics rebuilt as vim.lsp.buf.code_action() does (0.7 keeps only some fields)
  local diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(diagnostics, vim.tbl_extend("keep", raw(d), {
      range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } },
      message = d.message, source = d.source, code = d.code,
    }))
  end
  local first = diagnostics[1]
  local params = { textDocument = vim.lsp.util.make_text_document_params(buf), range = first.range,
                   context = { diagnostics = diagnostics, only = { "quickfix" } } }
  local responses, err = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, timeout)
  if not responses then error("codeAction: " .. tostring(err)) end
  result.actions = {}
  local chosen
  for client_id, response in pairs(responses) do
    for _, action in ipairs(response.result or {}) do
      table.insert(result.actions, { title = action.title, kind = action.kind })
      if action.kind == "quickfix" and action.edit and not chosen then
        chosen = { action = action, client = vim.lsp.get_client_by_id(client_id) }
      end
    end
  end
  if not chosen then error("no quickfix code action") end
  vim.lsp.util.apply_workspace_edit(chosen.action.edit, chosen.client.offset_encoding)
  wait_for(buf, "quickfix", function(found) return #found == 0 end)
end

local ok, err = pcall(run)
result.error = ok and vim.NIL or tostring(err)
local out = io.open(vim.env.SMIL_OUT, "w")
out:write(vim.fn.json_encode(result))
out:close()
vim.cmd("qall!")

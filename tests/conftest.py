"""Generated examples are the same on every run, so that a suite that passed passes again.

`pytest --hypothesis-profile=explore` draws new examples instead (and more of them with
HCL_RANDOM_EXAMPLES, CFN_LINT_RANDOM_EXAMPLES and the like, where a test reads one).
"""

try:
    from hypothesis import settings
except ImportError:  # the tests that generate examples skip without hypothesis
    pass
else:
    settings.register_profile("repeatable", derandomize=True, database=None)
    settings.register_profile("explore", derandomize=False, database=None)
    settings.load_profile("repeatable")

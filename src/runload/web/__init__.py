"""``runload serve``: the web app runners log pain from and coaches work in.

Pages read the same :class:`runload.assess.Assessment` every other output reads, through
:class:`runload.session.Assessor` and the report builder, and render with the report's own
templates and style sheet, so the app, the command line, the report, the roster and the mail
never disagree. Accounts, sessions and notes live in the store (:mod:`runload.web.accounts`).
"""

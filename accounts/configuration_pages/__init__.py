"""The administrators' configuration pages in the portal itself (``/configuration/``): tiers and their benefits,
business calendars with their holidays and a live preview, notice periods and limits, people and their roles,
customer accounts with their TAMs and contracts. (SLA policies are the cases app's: ``cases.policy_views``.)

Each page parses its form and calls the same service as the API and the break-glass Django admin; the service
decides (``NotAllowed``: 403; ``DomainError``: the form shows its words) and asks for a recently entered password
(the page then asks for it and replays the change). The database's triggers record every change in the audit trail.
A page refuses anyone the service would refuse before reading anything (403), as ``asks_service`` does in the API.
"""

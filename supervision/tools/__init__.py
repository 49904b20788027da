"""Tool results on a case: what NBK, KZZ, Schein's career anchors (or value cards) and AC/DC
observations showed, each written together with its tool use and only through the licence check
(S18-S24): a tool that needs a licence cannot be recorded without one valid on the meeting day.

- :mod:`supervision.tools.catalogue` the tool catalogue that migration 0013 loads (pure data);
- :mod:`supervision.tools.results` the scales and the rules (pure: NBK levels, KZZ stens and the
  not-diagnostic flag, Schein's ranking, value cards, AC/DC ratings);
- :mod:`supervision.tools.models` the result tables; :mod:`supervision.tools.service` the one
  write path (licence check, tool use and result in one transaction);
- :mod:`supervision.tools.routes` the record page ``/cases/{code}/record/tools`` and the API
  ``/api/cases/{code}/tools``; :mod:`supervision.tools.demo` results for the demo's completed
  deep cases.
"""

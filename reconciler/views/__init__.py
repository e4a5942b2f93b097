"""Every renderer: the plan as text, markdown and JSON, the JSON UI stream, status and data
tables, progress. Each verb has one view interface with a human and a JSON implementation,
chosen once in the verb module from its flags (Terraform's ``views.NewApply(viewType)``).

Only cli.py and commands/ import this package; nothing here does the verbs' work.
"""

"""The work of each verb: a typed request in, a typed result out.

Commands parse arguments into these requests and render the results; this layer sequences
the core (config, data, plan, apply, status) around one workspace, and is the one place the
state lock is taken.
"""

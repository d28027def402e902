"""Offline preflight: run the real program under Pulumi's mock runtime, export its graph,
and evaluate the policy pack, with no Pulumi CLI, provider plugins or cloud account."""

"""The CrossGuard policy pack directory (`pulumi preview --policy-pack policies`)."""

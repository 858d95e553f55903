# Command-line tools: hnv-ctl (policy databases) and, later, vfpctl.

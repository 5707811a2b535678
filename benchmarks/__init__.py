"""District-scale benchmarks: the data generator, the L0/L1 baselines and `make bench`.

Installed as an app only by yichuan.settings.bench, so production never loads it.
"""

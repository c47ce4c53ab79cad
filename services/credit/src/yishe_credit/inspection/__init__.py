"""双随机一公开: reproducible stratified random sampling, random inspectors, public results, rectification (CR-6.3)."""

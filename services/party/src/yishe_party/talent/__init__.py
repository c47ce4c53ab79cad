"""The Party-building talent pool (党建人才库) and work coverage: instructors, liaison officers, "1+N" leads."""

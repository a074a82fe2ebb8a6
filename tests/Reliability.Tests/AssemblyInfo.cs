// Each run owns the private broker node of this process (the fault run kills and restarts it) and its default virtual
// host, so the runs of this assembly go one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

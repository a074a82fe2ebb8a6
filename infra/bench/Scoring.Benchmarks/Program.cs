using Scoring.Benchmarks;

return await Cli.RunAsync(args);

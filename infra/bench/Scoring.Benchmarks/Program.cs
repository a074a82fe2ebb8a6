using Platform.ServiceDefaults;
using Scoring.Benchmarks;

// Every command's output starts with the processor, so each number can be traced to it.
Console.WriteLine($"cpu: {CpuFeatures.Current.Describe()}");
return await Cli.RunAsync(args);

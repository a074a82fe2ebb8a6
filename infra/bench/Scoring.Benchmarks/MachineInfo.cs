using System.Runtime.InteropServices;

namespace Scoring.Benchmarks;

/// <summary>The machine line every report starts with: cores, processor model and the SIMD flags the kernels pick from.</summary>
public static class MachineInfo
{
    public static string Describe()
    {
        var model = "unknown processor";
        var flags = new HashSet<string>(StringComparer.Ordinal);
        if (File.Exists("/proc/cpuinfo"))
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                var colon = line.IndexOf(':');
                if (colon < 0)
                    continue;
                var (key, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
                if (key == "model name" && model == "unknown processor")
                    model = value;
                else if (key == "flags" && flags.Count == 0)
                    flags.UnionWith(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
        }

        string Flag(string name) => $"{name} {(flags.Contains(name) ? "yes" : "no")}";
        return $"{Environment.ProcessorCount} cores, {model} ({Flag("avx2")}, {Flag("avx512f")}, {Flag("avx512_vnni")}), {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }
}

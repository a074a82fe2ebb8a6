using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Platform.ComposeLocal;

/// <summary>
/// The parts of a compose file that running it locally needs, read the way docker compose reads them: YAML anchors
/// and aliases, merge keys (<c>&lt;&lt;: *anchor</c> and <c>&lt;&lt;: [*a, *b]</c>, explicit keys win, earlier mappings
/// of a list win), then variable interpolation of every value (<see cref="Interpolation"/>), then profiles.
/// </summary>
public sealed class ComposeFile
{
    private ComposeFile(string path, string projectDirectory, IReadOnlyDictionary<string, string> variables,
        IReadOnlyList<ComposeService> services, IReadOnlyDictionary<string, ComposeConfig> configs,
        IReadOnlyList<string> activeProfiles, IReadOnlyCollection<string> unsetVariables)
    {
        Path = path;
        ProjectDirectory = projectDirectory;
        Variables = variables;
        AllServices = services;
        Configs = configs;
        ActiveProfiles = activeProfiles;
        UnsetVariables = unsetVariables;
    }

    public string Path { get; }

    /// <summary>Base of relative paths (build contexts, bind mounts, config files): the compose file's folder unless given.</summary>
    public string ProjectDirectory { get; }

    /// <summary>The interpolation variables: the env file, overridden by the process environment when asked for.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; }

    /// <summary>Every service, whatever its profiles.</summary>
    public IReadOnlyList<ComposeService> AllServices { get; }

    /// <summary>Services enabled by <see cref="ActiveProfiles"/> (those without profiles always are).</summary>
    public IEnumerable<ComposeService> Services =>
        AllServices.Where(s => s.Profiles.Count == 0 || ActiveProfiles.Contains("*") || s.Profiles.Any(ActiveProfiles.Contains));

    public IReadOnlyDictionary<string, ComposeConfig> Configs { get; }

    public IReadOnlyList<string> ActiveProfiles { get; }

    /// <summary>Variables used without a value or default (compose warns about each and uses an empty string).</summary>
    public IReadOnlyCollection<string> UnsetVariables { get; }

    public ComposeService Service(string name) =>
        AllServices.FirstOrDefault(s => s.Name == name) ?? throw new ComposeException($"{Path}: no service '{name}'.");

    /// <param name="path">The compose file.</param>
    /// <param name="variables">Interpolation variables (env file and, like compose, the process environment on top).</param>
    /// <param name="profiles">Active profiles; when empty, COMPOSE_PROFILES from <paramref name="variables"/> (comma-separated).</param>
    /// <param name="projectDirectory">Base of relative paths; the compose file's folder when null.</param>
    /// <exception cref="ComposeException">Malformed YAML, a missing required variable (all of them are listed), an unsupported construct.</exception>
    public static ComposeFile Load(string path, IReadOnlyDictionary<string, string> variables,
        IReadOnlyList<string>? profiles = null, string? projectDirectory = null)
    {
        path = System.IO.Path.GetFullPath(path);
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new ComposeException($"{path}: invalid YAML at {ex.Start}: {ex.Message}", ex);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ComposeException($"{path}: expected one YAML document with a mapping at its top.");
        }

        var interpolation = new Interpolation(variables);
        var tree = (Dictionary<string, object?>)Interpolate(ToObject(root, ""), "", interpolation)!;
        if (interpolation.Errors.Count > 0)
        {
            throw new ComposeException($"{path}: " + string.Join(Environment.NewLine, interpolation.Errors));
        }

        var baseDirectory = projectDirectory is null
            ? System.IO.Path.GetDirectoryName(path)!
            : System.IO.Path.GetFullPath(projectDirectory);
        var services = Map(tree, "services", path)
            .Select(entry => ComposeService.Parse(entry.Key, AsMap(entry.Value, $"services.{entry.Key}", path), variables, baseDirectory, path))
            .ToList();
        var configs = Map(tree, "configs", path).ToDictionary(
            entry => entry.Key,
            entry => ComposeConfig.Parse(entry.Key, AsMap(entry.Value, $"configs.{entry.Key}", path), baseDirectory, path),
            StringComparer.Ordinal);

        var active = profiles is { Count: > 0 }
            ? profiles.ToList()
            : (variables.TryGetValue("COMPOSE_PROFILES", out var fromVariables) ? fromVariables : "")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return new ComposeFile(path, baseDirectory, variables, services, configs, active, interpolation.Unset);
    }

    // ---------------------------------------------------------------- YAML to plain objects

    /// <summary>Scalars become strings (null for <c>~</c>, <c>null</c> and empty plain scalars), mappings dictionaries, sequences lists.</summary>
    private static object? ToObject(YamlNode node, string where) => node switch
    {
        YamlScalarNode scalar => scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL"
            ? null
            : scalar.Value ?? "",
        YamlSequenceNode sequence => sequence.Children.Select((child, i) => ToObject(child, $"{where}[{i}]")).ToList(),
        YamlMappingNode mapping => ToMap(mapping, where),
        _ => throw new ComposeException($"{where}: unsupported YAML node {node.NodeType}."),
    };

    private static Dictionary<string, object?> ToMap(YamlMappingNode mapping, string where)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        List<YamlNode> merges = [];
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (key == "<<" && ((YamlScalarNode)keyNode).Style == YamlDotNet.Core.ScalarStyle.Plain)
            {
                merges.AddRange(valueNode is YamlSequenceNode list ? list.Children : [valueNode]);
                continue;
            }

            result[key] = ToObject(valueNode, Join(where, key));
        }

        // Explicit keys win over merged ones; of several merged mappings, the first that has a key wins.
        foreach (var merge in merges)
        {
            if (merge is not YamlMappingNode source)
            {
                throw new ComposeException($"{where}: a merge key (<<) must refer to a mapping or a list of mappings.");
            }

            foreach (var (key, value) in ToMap(source, where))
            {
                result.TryAdd(key, value);
            }
        }

        return result;
    }

    private static object? Interpolate(object? value, string where, Interpolation interpolation) => value switch
    {
        string text => interpolation.Apply(text, where),
        List<object?> list => list.Select((item, i) => Interpolate(item, $"{where}[{i}]", interpolation)).ToList(),
        Dictionary<string, object?> map => map.ToDictionary(
            entry => entry.Key, entry => Interpolate(entry.Value, Join(where, entry.Key), interpolation), StringComparer.Ordinal),
        _ => value,
    };

    private static string Join(string where, string key) => where.Length == 0 ? key : $"{where}.{key}";

    // ---------------------------------------------------------------- helpers for the parsers

    internal static IEnumerable<KeyValuePair<string, object?>> Map(Dictionary<string, object?> parent, string key, string file) =>
        parent.TryGetValue(key, out var value) && value is not null ? AsMap(value, key, file) : [];

    internal static Dictionary<string, object?> AsMap(object? value, string where, string file) =>
        value as Dictionary<string, object?> ?? throw new ComposeException($"{file}: {where} must be a mapping.");

    internal static IReadOnlyList<object?> AsList(object? value, string where, string file) => value switch
    {
        null => [],
        List<object?> list => list,
        _ => throw new ComposeException($"{file}: {where} must be a list."),
    };

    internal static string? AsString(object? value) => value as string;

    /// <summary>Compose's two forms of a string map: a mapping, or a list of <c>KEY=VALUE</c> (a bare <c>KEY</c> is null).</summary>
    internal static IEnumerable<(string Key, string? Value)> StringMap(object? value, string where, string file)
    {
        switch (value)
        {
            case null:
                yield break;
            case Dictionary<string, object?> map:
                foreach (var (key, item) in map)
                {
                    yield return (key, item is null ? null : AsScalar(item, $"{where}.{key}", file));
                }

                break;
            case List<object?> list:
                foreach (var item in list)
                {
                    var text = AsScalar(item, where, file) ?? "";
                    var equals = text.IndexOf('=', StringComparison.Ordinal);
                    yield return equals < 0 ? (text, null) : (text[..equals], text[(equals + 1)..]);
                }

                break;
            default:
                throw new ComposeException($"{file}: {where} must be a mapping or a list.");
        }
    }

    private static string? AsScalar(object? value, string where, string file) => value switch
    {
        null => null,
        string text => text,
        _ => throw new ComposeException($"{file}: {where} must be a scalar."),
    };

    internal static int ParsePort(string text, string where, string file) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new ComposeException($"{file}: {where}: '{text}' is not a port.");
}

/// <summary>A service of the compose file (only what a local run needs).</summary>
public sealed record ComposeService
{
    public required string Name { get; init; }
    public string? Image { get; init; }
    public string? Hostname { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public IReadOnlyList<string> Profiles { get; init; } = [];
    public string? BuildContext { get; init; }
    public string? Dockerfile { get; init; }
    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    /// <summary>The container environment, in file order (values already interpolated).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];

    public IReadOnlyList<PortMapping> Ports { get; init; } = [];
    public IReadOnlyList<VolumeMount> Volumes { get; init; } = [];
    public IReadOnlyList<ConfigMount> Configs { get; init; } = [];

    /// <summary>Names under which other containers reach this one: the service name, its hostname and network aliases.</summary>
    public IEnumerable<string> HostNames => new[] { Name, Hostname }.Concat(Aliases).OfType<string>().Distinct(StringComparer.Ordinal);

    public string? EnvironmentValue(string key) => Environment.LastOrDefault(e => e.Key == key).Value;

    /// <summary>
    /// The .env variables this service checks before anything starts (the compose file's <c>secrets</c> gate): each
    /// <c>SECRET_&lt;NAME&gt;</c> entry of its environment is the variable <c>NAME</c>, with its interpolated value.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> CheckedSecrets =>
        Environment.Where(e => e.Key.StartsWith(SecretPrefix, StringComparison.Ordinal))
            .Select(e => KeyValuePair.Create(e.Key[SecretPrefix.Length..], e.Value));

    public const string SecretPrefix = "SECRET_";

    internal static ComposeService Parse(string name, Dictionary<string, object?> map, IReadOnlyDictionary<string, string> variables,
        string baseDirectory, string file)
    {
        if (map.ContainsKey("env_file"))
        {
            throw new ComposeException($"{file}: services.{name}.env_file is not supported by compose-local; use environment.");
        }

        string? context = null, dockerfile = null;
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (map.GetValueOrDefault("build"))
        {
            case string text:
                context = text;
                break;
            case Dictionary<string, object?> build:
                context = ComposeFile.AsString(build.GetValueOrDefault("context")) ?? ".";
                dockerfile = ComposeFile.AsString(build.GetValueOrDefault("dockerfile"));
                foreach (var (key, value) in ComposeFile.StringMap(build.GetValueOrDefault("args"), $"services.{name}.build.args", file))
                {
                    args[key] = value ?? variables.GetValueOrDefault(key) ?? "";
                }

                break;
        }

        var environment = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in ComposeFile.StringMap(map.GetValueOrDefault("environment"), $"services.{name}.environment", file))
        {
            // KEY without a value: taken from the interpolation variables, left out when they lack it (compose does the same).
            var resolved = value ?? variables.GetValueOrDefault(key);
            if (resolved is not null)
            {
                environment.RemoveAll(e => e.Key == key);
                environment.Add(new(key, resolved));
            }
        }

        var aliases = new List<string>();
        if (map.GetValueOrDefault("networks") is Dictionary<string, object?> networks)
        {
            foreach (var (_, network) in networks)
            {
                if (network is Dictionary<string, object?> settings)
                {
                    aliases.AddRange(ComposeFile.AsList(settings.GetValueOrDefault("aliases"), $"services.{name}.networks.aliases", file).OfType<string>());
                }
            }
        }

        return new ComposeService
        {
            Name = name,
            Image = ComposeFile.AsString(map.GetValueOrDefault("image")),
            Hostname = ComposeFile.AsString(map.GetValueOrDefault("hostname")),
            Aliases = aliases,
            Profiles = ComposeFile.AsList(map.GetValueOrDefault("profiles"), $"services.{name}.profiles", file).OfType<string>().ToList(),
            BuildContext = context is null ? null : Path.GetFullPath(context, baseDirectory),
            Dockerfile = dockerfile,
            BuildArgs = args,
            Environment = environment,
            Ports = ComposeFile.AsList(map.GetValueOrDefault("ports"), $"services.{name}.ports", file)
                .Select(p => PortMapping.Parse(p, $"services.{name}.ports", file)).ToList(),
            Volumes = ComposeFile.AsList(map.GetValueOrDefault("volumes"), $"services.{name}.volumes", file)
                .Select(v => VolumeMount.Parse(v, baseDirectory, $"services.{name}.volumes", file)).ToList(),
            Configs = ComposeFile.AsList(map.GetValueOrDefault("configs"), $"services.{name}.configs", file)
                .Select(c => ConfigMount.Parse(c, $"services.{name}.configs", file)).ToList(),
        };
    }
}

/// <summary>A published port: <c>[ip:]host:container</c>, or a container port only (published on a random host port).</summary>
public sealed record PortMapping(string? HostIp, int? HostPort, int ContainerPort)
{
    internal static PortMapping Parse(object? value, string where, string file)
    {
        if (value is Dictionary<string, object?> longSyntax)
        {
            var published = ComposeFile.AsString(longSyntax.GetValueOrDefault("published"));
            return new PortMapping(
                ComposeFile.AsString(longSyntax.GetValueOrDefault("host_ip")),
                string.IsNullOrEmpty(published) ? null : ComposeFile.ParsePort(published, where, file),
                ComposeFile.ParsePort(ComposeFile.AsString(longSyntax.GetValueOrDefault("target")) ?? "", where, file));
        }

        var text = ComposeFile.AsString(value) ?? throw new ComposeException($"{file}: {where}: a port must be a string or a mapping.");
        var spec = text.Split('/')[0];
        var parts = spec.Split(':');
        return parts.Length switch
        {
            1 => new PortMapping(null, null, ComposeFile.ParsePort(parts[0], where, file)),
            2 => new PortMapping(null, ComposeFile.ParsePort(parts[0], where, file), ComposeFile.ParsePort(parts[1], where, file)),
            3 => new PortMapping(parts[0], ComposeFile.ParsePort(parts[1], where, file), ComposeFile.ParsePort(parts[2], where, file)),
            _ => throw new ComposeException($"{file}: {where}: unsupported port '{text}'."),
        };
    }
}

/// <summary>A volume: a named volume (<see cref="Source"/> a name) or a bind mount (<see cref="Source"/> an absolute path).</summary>
public sealed record VolumeMount(string? Source, string Target, bool IsBind)
{
    internal static VolumeMount Parse(object? value, string baseDirectory, string where, string file)
    {
        if (value is Dictionary<string, object?> longSyntax)
        {
            var type = ComposeFile.AsString(longSyntax.GetValueOrDefault("type")) ?? "volume";
            var source = ComposeFile.AsString(longSyntax.GetValueOrDefault("source"));
            var target = ComposeFile.AsString(longSyntax.GetValueOrDefault("target"))
                ?? throw new ComposeException($"{file}: {where}: a volume needs a target.");
            return type == "bind"
                ? new VolumeMount(Path.GetFullPath(source ?? ".", baseDirectory), target, true)
                : new VolumeMount(source, target, false);
        }

        var text = ComposeFile.AsString(value) ?? throw new ComposeException($"{file}: {where}: a volume must be a string or a mapping.");
        var parts = text.Split(':');
        if (parts.Length == 1)
        {
            return new VolumeMount(null, parts[0], false);
        }

        var isBind = parts[0].StartsWith('.') || parts[0].StartsWith('/') || parts[0].StartsWith('~');
        return new VolumeMount(isBind ? Path.GetFullPath(parts[0], baseDirectory) : parts[0], parts[1], isBind);
    }
}

/// <summary>A config given to a service: <see cref="Source"/> names a top-level config; <see cref="Target"/> is where it appears.</summary>
public sealed record ConfigMount(string Source, string Target)
{
    internal static ConfigMount Parse(object? value, string where, string file)
    {
        if (value is string name)
        {
            return new ConfigMount(name, "/" + name);
        }

        var map = ComposeFile.AsMap(value, where, file);
        var source = ComposeFile.AsString(map.GetValueOrDefault("source")) ?? throw new ComposeException($"{file}: {where}: a config needs a source.");
        return new ConfigMount(source, ComposeFile.AsString(map.GetValueOrDefault("target")) ?? "/" + source);
    }
}

/// <summary>A top-level config: inline <see cref="Content"/> (interpolated) or a <see cref="File"/>.</summary>
public sealed record ComposeConfig(string Name, string? Content, string? File)
{
    public string ReadContent() => Content ?? System.IO.File.ReadAllText(File!);

    internal static ComposeConfig Parse(string name, Dictionary<string, object?> map, string baseDirectory, string file)
    {
        var content = ComposeFile.AsString(map.GetValueOrDefault("content"));
        var path = ComposeFile.AsString(map.GetValueOrDefault("file"));
        if (content is null && path is null)
        {
            throw new ComposeException($"{file}: configs.{name}: compose-local supports configs with content or file only.");
        }

        return new ComposeConfig(name, content, path is null ? null : Path.GetFullPath(path, baseDirectory));
    }
}

/// <summary>The compose file cannot be read, or cannot be run locally; the message says why.</summary>
public sealed class ComposeException : Exception
{
    public ComposeException(string message)
        : base(message)
    {
    }

    public ComposeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

using System.Security.Cryptography;
using Platform.ComposeLocal;

namespace Compose.Tests;

/// <summary>Paths of the checkout under test, and env files made from .env.example.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string ComposeFile => Path.Combine(Root, "docker-compose.yml");

    public static string EnvExample => Path.Combine(Root, ".env.example");

    /// <summary>The secrets .env.example leaves empty (compose refuses to start without them).</summary>
    public static readonly string[] RequiredSecrets =
    [
        "RABBITMQ_ADMIN_PASSWORD", "RABBITMQ_INGESTION_PASSWORD", "RABBITMQ_EMBEDDING_PASSWORD", "RABBITMQ_SCORING_PASSWORD",
        "RABBITMQ_NOTIFICATION_PASSWORD", "PUBLISHER_KEY_SHA256", "ADMIN_KEY_SHA256", "NOTIFICATION_LINK_SIGNING_KEY",
    ];

    /// <summary>.env.example's values with its empty secrets filled the way docs/deployment.md says (openssl rand -hex 32, sha256sum).</summary>
    public static ExampleEnv ExampleValues(params (string Key, string Value)[] overrides)
    {
        var variables = DotEnv.Load(EnvExample).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var publisherKey = Random();
        var adminKey = Random();
        foreach (var name in RequiredSecrets)
        {
            variables[name] = Random();
        }

        variables["PUBLISHER_KEY_SHA256"] = LocalRun.Sha256Hex(publisherKey);
        variables["ADMIN_KEY_SHA256"] = LocalRun.Sha256Hex(adminKey);
        foreach (var (key, value) in overrides)
        {
            variables[key] = value;
        }

        return new ExampleEnv(variables, publisherKey, adminKey);
    }

    private static string Random() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Platform.sln not found above {AppContext.BaseDirectory}");
    }
}

internal sealed record ExampleEnv(Dictionary<string, string> Variables, string PublisherKey, string AdminKey)
{
    /// <summary>Writes the variables as an env file (double-quoted values).</summary>
    public string WriteTo(string path)
    {
        File.WriteAllLines(path, Variables.Select(v => $"{v.Key}=\"{v.Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\""));
        return path;
    }
}

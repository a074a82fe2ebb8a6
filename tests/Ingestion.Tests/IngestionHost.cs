using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts;
using Platform.Ingestion;
using Platform.Messaging;
using Platform.ServiceDefaults;
using Platform.Testing;

namespace Ingestion.Tests;

/// <summary>
/// Starts the ingestion service as its Program.cs composes it (real Kestrel on loopback, a real SQLite file), plus
/// recording consumers for the events it publishes.
/// </summary>
public static class IngestionHost
{
    public static Dictionary<string, string?> Settings(string databasePath) => new()
    {
        ["Messaging:Transport"] = "InMemory",
        ["Ingestion:Database:Path"] = databasePath,
        ["Logging:LogLevel:Default"] = "Warning",
    };

    public static Task<TestServiceHost> StartAsync(string databasePath, MessageRecorder recorder, params (string Key, string? Value)[] extra)
    {
        var settings = Settings(databasePath);
        foreach (var (key, value) in extra)
            settings[key] = value;
        return StartAsync(settings, recorder);
    }

    public static async Task<TestServiceHost> StartAsync(IDictionary<string, string?> settings, MessageRecorder recorder)
    {
        var host = await TestServiceHost.StartAsync("ingestion", settings,
            builder =>
            {
                builder.Services.AddSingleton(recorder);
                builder.Services.AddSingleton<BusActivity>(); // what Settling.SettledAsync waits on
                builder.AddServiceDefaults();
                builder.AddIngestion();
                builder.AddMessaging(bus =>
                {
                    bus.AddIngestionConsumers();
                    bus.AddRecorder<ListingAccepted>("listing-accepted");
                    bus.AddRecorder<Fault<ListingSubmitted>>("listing-submitted-fault");
                    bus.AddRecorder<ListingRejected>("listing-rejected");
                });
            },
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapIngestion();
            });
        host.GetRequiredService<BusActivity>().Connect(host.GetRequiredService<IBus>());
        return host;
    }
}


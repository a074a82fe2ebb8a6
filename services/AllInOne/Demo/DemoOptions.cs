namespace Platform.AllInOne.Demo;

public sealed class DemoOptions
{
    /// <summary>Post the bundled sample subscribers and listings through the public APIs at start-up.</summary>
    public bool LoadSamples { get; set; } = true;

    /// <summary>Stop the process once the report is printed (for scripts); otherwise keep serving.</summary>
    public bool ExitWhenDone { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Remembers which sample subscribers were created so that a second run does not register them again.</summary>
    public string StateFile { get; set; } = "data/demo-subscribers.json";
}

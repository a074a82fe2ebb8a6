namespace Platform.Ingestion;

/// <summary>Size limits for listings; anything larger is refused with a problem detail naming the field.</summary>
public sealed class IngestionOptions
{
    public int MaxSourceLength { get; set; } = 100;
    public int MaxExternalIdLength { get; set; } = 200;
    public int MaxTitleLength { get; set; } = 1_000;
    public int MaxAbstractLength { get; set; } = 20_000;
    public int MaxAuthors { get; set; } = 500;
    public int MaxAuthorLength { get; set; } = 300;
    public int MaxUrlLength { get; set; } = 2_048;
    public int MaxTags { get; set; } = 50;
    public int MaxTagLength { get; set; } = 100;
}

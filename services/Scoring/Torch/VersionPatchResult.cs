namespace Platform.Scoring.Torch;

/// <summary>Outcome of <see cref="ElfVersionPatcher.MarkVersionWeak"/>.</summary>
public enum VersionPatchResult
{
    /// <summary>The version requirement was strong and is now weak.</summary>
    Patched,

    /// <summary>The version requirement was already weak; the file was not written.</summary>
    AlreadyWeak,

    /// <summary>The file does not require that version; the file was not written.</summary>
    NotReferenced,
}

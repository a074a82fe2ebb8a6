namespace Platform.Scoring.Torch;

/// <summary>The parts of an ELF64 section header that the version walkers need.</summary>
internal readonly record struct ElfSection(uint Type, long Offset, long Size, uint Link, uint Info);

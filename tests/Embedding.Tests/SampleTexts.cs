namespace Embedding.Tests;

internal static class SampleTexts
{
    /// <summary>Short English texts of clearly different token counts, all well under 256 tokens.</summary>
    public static readonly string[] Short =
    [
        "Graph neural networks for molecules",
        "Attention is all you need.",
        "We propose a diffusion model that generates high-resolution images from text prompts, "
            + "and show that classifier-free guidance improves sample quality at a fixed compute budget.",
        "Reinforcement learning from human feedback (RLHF) aligns large language models with user intent; "
            + "we study reward hacking, over-optimisation and the role of the penalty term in 3 benchmark suites, "
            + "reporting win rates of 61.2% against the supervised baseline and analysing failure cases in detail.",
        "cats",
        "Medieval poetry in Old French: courtly love and the troubadours of the twelfth century.",
    ];

    /// <summary>About 20 tokens per repetition: 10 stay under the 256-token limit, 20 go well past it.</summary>
    public static string Long(int repetitions) => string.Join(" ", Enumerable.Range(1, repetitions).Select(i =>
        $"Paragraph {i}: transformers process sequences with self-attention, which scales quadratically with the sequence length."));
}

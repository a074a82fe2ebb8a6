using Platform.Scoring.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Scoring.Tests.Torch;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void EnsureLoaded_is_safe_to_call_concurrently_and_repeatedly()
    {
        Parallel.For(0, 8, _ => TorchRuntime.EnsureLoaded());
        TorchRuntime.EnsureLoaded();
    }

    [Fact]
    public void EnsureLoaded_leaves_the_apps_native_library_loadable_on_this_system()
    {
        TorchRuntime.EnsureLoaded();
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The patch applies to Linux only.");
        Assert.SkipWhen(LibStdCxx.SystemProvides(TorchRuntime.RequiredLibStdCxxVersion), "This system's libstdc++ needs no patch.");

        var outputCopy = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", TorchRuntime.NativeLibraryFileName);
        var flags = ElfVersionPatcher.GetVersionFlags(outputCopy, TorchRuntime.RequiredLibStdCxxVersion);
        Assert.NotNull(flags);
        Assert.Equal(ElfVersionPatcher.WeakFlag, flags & ElfVersionPatcher.WeakFlag);
    }

    [Fact]
    public void A_matrix_product_matches_a_plain_computation()
    {
        TorchRuntime.EnsureLoaded();
        var random = new Random(7);
        var a = Enumerable.Range(0, 12 * 5).Select(_ => random.NextSingle() - 0.5f).ToArray();
        var b = Enumerable.Range(0, 5 * 9).Select(_ => random.NextSingle() - 0.5f).ToArray();

        using var scope = NewDisposeScope();
        var product = tensor(a, [12, 5]).matmul(tensor(b, [5, 9])).data<float>().ToArray();

        for (var i = 0; i < 12; i++)
        {
            for (var j = 0; j < 9; j++)
            {
                var expected = Enumerable.Range(0, 5).Sum(k => (double)a[i * 5 + k] * b[k * 9 + j]);
                Assert.Equal(expected, product[i * 9 + j], 1e-5);
            }
        }
    }

    [Fact]
    public void Adam_steps_decrease_a_regression_loss()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(11);
        using var scope = NewDisposeScope();
        var inputs = randn(256, 8);
        var targets = inputs.matmul(randn(8, 1)) + 0.5f;
        var model = nn.Linear(8, 1);
        var optimizer = optim.Adam(model.parameters(), lr: 0.05);

        float Step()
        {
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.forward(inputs), targets);
            loss.backward();
            optimizer.step();
            return loss.item<float>();
        }

        var first = Step();
        float last = first;
        for (var i = 0; i < 50; i++)
        {
            last = Step();
        }

        Assert.True(last < first * 0.5f, $"loss went from {first} to {last}");
    }

    [Fact]
    public void SelectDevice_gives_the_cpu_when_asked_or_when_cuda_is_missing()
    {
        var logger = new ListLogger();

        Assert.Equal(DeviceType.CPU, TorchRuntime.SelectDevice("cpu", logger).type);
        var cuda = TorchRuntime.SelectDevice("cuda", logger);

        Assert.Equal(torch.cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, cuda.type);
        Assert.Contains(logger.Entries, e => e.Message.Contains("Torch device", StringComparison.Ordinal) && e.Message.Contains("'cuda'", StringComparison.Ordinal));
    }

    [Fact]
    public void SelectDevice_rejects_an_unknown_device_name() =>
        Assert.Throws<ArgumentException>(() => TorchRuntime.SelectDevice("tpu"));
}

using Platform.Scoring.Evaluation.Delivered;

namespace Scoring.Tests.Evaluation;

public sealed class ConfidenceIntervalTests
{
    [Theory]
    [InlineData(1, 12.7062)]
    [InlineData(4, 2.7764)]
    [InlineData(10, 2.2281)]
    [InlineData(54, 2.0049)]
    [InlineData(99, 1.9842)]
    [InlineData(100000, 1.9600)]
    public void Student_t_quantiles_match_the_tables(int df, double expected) =>
        Assert.Equal(expected, StudentT.Quantile(0.975, df), 4);

    [Fact]
    public void The_interval_is_the_mean_plus_minus_t_times_the_standard_error()
    {
        double[] values = [0.1, 0.4, 0.2, 0.5, 0.3];
        var ci = ConfidenceInterval.Of(values);

        var se = Math.Sqrt(values.Sum(v => (v - 0.3) * (v - 0.3)) / 4 / 5);
        Assert.Equal(0.3, ci.Mean, 12);
        Assert.Equal(0.3 - 2.7764 * se, ci.Low, 4);
        Assert.Equal(0.3 + 2.7764 * se, ci.High, 4);
        Assert.True(ci.ExcludesZero);
        Assert.False(ConfidenceInterval.Of([-0.2, 0.1, 0.3, -0.1, 0.0]).ExcludesZero);
        Assert.True(ConfidenceInterval.Of([-0.2, -0.25, -0.21, -0.3]).ExcludesZero);
    }
}

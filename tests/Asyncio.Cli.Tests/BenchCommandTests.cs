using Asyncio.Cli.Bench;

namespace Asyncio.Cli.Tests;

public class BenchCommandTests
{
    [Fact]
    public void QuickYield_TableHasOurLoopAndDotnetPeers_EveryOtherPeerMeasuredOrWithInstallHint()
    {
        var r = CliRunner.Run("bench", "--quick", "--workloads", "yield", "--reps", "1");

        Assert.True(r.ExitCode == 0, $"exit code {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        string[] lines = r.Stdout.Split('\n');
        string header = lines.Single(l => l.StartsWith("| workload", StringComparison.Ordinal));
        Assert.Contains("Asyncio.NET (1 thread)", header, StringComparison.Ordinal);
        Assert.Contains(".NET thread pool", header, StringComparison.Ordinal);
        Assert.Contains("Nito AsyncContext", header, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("| yield", StringComparison.Ordinal) && l.Contains("ns_per_op", StringComparison.Ordinal));
        foreach (string peer in new[] { "CPython asyncio", "uvloop", "Node" })
        {
            string line = lines.Single(l => l.StartsWith($"  {peer}:", StringComparison.Ordinal));
            bool measured = header.Contains(peer, StringComparison.Ordinal);
            Assert.True(measured || line.Contains("Install it with: ", StringComparison.Ordinal), line);
        }
    }

    [Fact]
    public void UnknownWorkload_ExitCode2()
    {
        var r = CliRunner.Run("bench", "--workloads", "nope");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown workload 'nope'", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultLines_MedianWithRange_VariantsKept()
    {
        var figures = ResultLines.Parse(
        [
            "# a comment",
            "RESULT workload=pingpong runtime=node metric=ops_per_s value=3.2e+06",
            "RESULT workload=pingpong runtime=node metric=ops_per_s_min value=3e+06",
            "RESULT workload=pingpong runtime=node metric=ops_per_s_max value=3.5e+06",
            "RESULT workload=pingpong runtime=node metric=ops_per_s_setimmediate value=296465",
        ]);

        var main = Assert.Single(figures, f => f.Metric == "ops_per_s");
        Assert.Equal(new BenchFigure("pingpong", "node", "ops_per_s", 3.2e6, 3e6, 3.5e6), main);
        Assert.Single(figures, f => f.Metric == "ops_per_s_setimmediate");
    }

    [Theory]
    [InlineData("ops_per_s", 2e6, 1e6, "2×")]
    [InlineData("ns_per_op", 30, 300, "10×")]
    [InlineData("bytes_per_op", 0.01, 176, "ours ≈ 0 B")]
    [InlineData("bytes_per_op", 0, 0.2, "both ≈ 0 B")]
    [InlineData("seconds", 2, 1, "0.5×")]
    public void RatioText_AboveOneMeansOursIsBetter(string metric, double ours, double theirs, string expected) =>
        Assert.Equal(expected, BenchTable.RatioText(metric, ours, theirs));
}

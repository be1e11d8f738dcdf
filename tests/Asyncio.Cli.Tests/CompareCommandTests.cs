using System.Text.Json;

namespace Asyncio.Cli.Tests;

/// <summary>Runs <c>aio compare --quick --json --plot DIR</c> once, in-process (its probes are child processes).</summary>
public sealed class CompareRunFixture : IDisposable
{
    public CompareRunFixture()
    {
        ChartDirectory = Path.Combine(Path.GetTempPath(), "aio-compare-test-" + Guid.NewGuid().ToString("N"));
        Result = CliRunner.Run("compare", "--quick", "--json", "--plot", ChartDirectory);
        Document = Result.ExitCode == 0 ? JsonDocument.Parse(Result.Stdout) : null;
    }

    public string ChartDirectory { get; }

    internal CliRunner.Result Result { get; }

    public JsonDocument? Document { get; }

    public JsonElement Row(string key)
    {
        Assert.NotNull(Document);
        return Document.RootElement.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("key").GetString() == key);
    }

    public static double Number(JsonElement row, string name) => row.GetProperty("measurements").GetProperty(name).GetDouble();

    public void Dispose()
    {
        Document?.Dispose();
        if (Directory.Exists(ChartDirectory))
        {
            Directory.Delete(ChartDirectory, recursive: true);
        }
    }
}

public class CompareCommandTests(CompareRunFixture run) : IClassFixture<CompareRunFixture>
{
    private static readonly string[] Keys =
    [
        "execution", "context-switching", "race-conditions", "memory", "overhead",
        "max-concurrency", "blocking-calls", "cpu-bound", "io-bound", "debugging",
    ];

    [Fact]
    public void QuickJson_ExitsZero_StdoutIsOneJsonDocument_ProgressOnStderr()
    {
        Assert.True(run.Result.ExitCode == 0, $"exit code {run.Result.ExitCode}; stderr:\n{run.Result.Stderr}");
        Assert.NotNull(run.Document);
        Assert.Equal("quick", run.Document.RootElement.GetProperty("mode").GetString());
        Assert.Contains("OS threads in a child process", run.Result.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("{", run.Result.Stdout.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public void QuickJson_EveryRowOfTheSeedTable_InOrder_WithClaimsMeasurementsAndVerdict()
    {
        Assert.NotNull(run.Document);
        var rows = run.Document.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(Keys, rows.Select(r => r.GetProperty("key").GetString()));
        foreach (JsonElement r in rows)
        {
            foreach (string text in new[] { "feature", "threads", "tasks", "verdict", "basis" })
            {
                Assert.False(string.IsNullOrWhiteSpace(r.GetProperty(text).GetString()), $"{r.GetProperty("key")}: {text} is empty");
            }

            Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("seed").GetProperty("threading").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("seed").GetProperty("asyncio").GetString()));
            Assert.True(r.GetProperty("measurements").EnumerateObject().Any(), $"{r.GetProperty("key")}: no measurements");
        }
    }

    [Fact]
    public void Memory_BytesPerTaskAndPerThread_Plausible()
    {
        JsonElement memory = run.Row("memory");
        double taskBytes = CompareRunFixture.Number(memory, "taskGcBytesPerTask");
        double taskRss = CompareRunFixture.Number(memory, "taskRssBytesPerTask");
        double threadRss = CompareRunFixture.Number(memory, "threadRssBytesPerThread");
        double threadVm = CompareRunFixture.Number(memory, "threadVmSizeBytesPerThread");

        Assert.InRange(taskBytes, 50, 10_000);
        Assert.InRange(taskRss, 50, 10_000);
        Assert.True(threadRss > 0, $"thread RSS per thread {threadRss}");
        Assert.True(threadVm > threadRss, $"address space per thread {threadVm} should exceed its RSS {threadRss}");
    }

    [Fact]
    public void MaxConcurrency_TenThousandTasksAtLeast_ThreadsStartedInAChild()
    {
        JsonElement row = run.Row("max-concurrency");

        Assert.True(CompareRunFixture.Number(row, "tasksReached") >= 10_000);
        Assert.True(CompareRunFixture.Number(row, "threadsReached") >= 100);
        Assert.True(CompareRunFixture.Number(row, "threadsReached") <= 2_000);   // the --quick cap
    }

    [Fact]
    public void RaceConditions_LostUpdatesCounted_NoneOnTheLoopWithoutAnAwait()
    {
        JsonElement row = run.Row("race-conditions");

        Assert.True(CompareRunFixture.Number(row, "threadsLostUpdates") >= 0);
        Assert.Equal(0, CompareRunFixture.Number(row, "interlockedLostUpdates"));
        Assert.Equal(0, CompareRunFixture.Number(row, "tasksLostUpdates"));
        // FIFO round-robin: every task reads the same value before any writes, so all but one update per round is lost.
        double expected = CompareRunFixture.Number(row, "tasksWithAwaitInsideExpected");
        double tasks = CompareRunFixture.Number(row, "tasks");
        Assert.Equal(expected * (tasks - 1) / tasks, CompareRunFixture.Number(row, "tasksWithAwaitInsideLostUpdates"));
    }

    [Fact]
    public void SwitchAndOverhead_PositiveCosts_NoKernelSwitchPerTaskHandOff()
    {
        JsonElement sw = run.Row("context-switching");
        JsonElement overhead = run.Row("overhead");

        Assert.True(CompareRunFixture.Number(sw, "threadNsPerSwitch") > 0);
        Assert.True(CompareRunFixture.Number(sw, "taskNsPerSwitch") > 0);
        Assert.InRange(CompareRunFixture.Number(sw, "taskOsContextSwitchesPerSwitch"), 0, 0.5);
        // 0 B in a Release build; a Debug build of the library boxes its awaiters (~100 B per hand-off).
        Assert.InRange(CompareRunFixture.Number(sw, "taskBytesPerSwitch"), 0, 1024);
        Assert.True(CompareRunFixture.Number(overhead, "threadStartJoinMicroseconds") > 0);
        Assert.True(CompareRunFixture.Number(overhead, "taskCreateAwaitNanoseconds") > 0);
    }

    [Fact]
    public void BlockingCall_FreezesTheLoop_ToThreadDoesNot()
    {
        JsonElement row = run.Row("blocking-calls");
        double block = CompareRunFixture.Number(row, "blockMilliseconds");

        Assert.True(CompareRunFixture.Number(row, "loopBlockedLateMs") >= 0.8 * block);
        Assert.True(CompareRunFixture.Number(row, "loopToThreadLateMs") < block / 2);
    }

    [Fact]
    public void CpuAndIo_MeasuredForEveryMode()
    {
        JsonElement cpu = run.Row("cpu-bound");
        JsonElement io = run.Row("io-bound");

        Assert.True(cpu.GetProperty("measurements").GetProperty("checksumsMatch").GetBoolean());
        Assert.True(CompareRunFixture.Number(cpu, "toThreadSpeedup") > 0);
        Assert.Equal([50, 200], io.GetProperty("measurements").GetProperty("connections").EnumerateArray().Select(e => e.GetInt32()));
        foreach (string series in new[] { "threadsRequestsPerSecond", "loopRequestsPerSecond" })
        {
            Assert.All(io.GetProperty("measurements").GetProperty(series).EnumerateArray(), v => Assert.True(v.GetDouble() > 0, series));
        }

        Assert.Equal(0, CompareRunFixture.Number(io, "errors"));
    }

    [Fact]
    public void Debugging_LoopRunsRepeatExactly_VirtualHourIsFast()
    {
        JsonElement row = run.Row("debugging");

        Assert.Equal(1, CompareRunFixture.Number(row, "loopDistinctOutcomes"));
        Assert.Equal(3600, CompareRunFixture.Number(row, "virtualSeconds"), 3);
        Assert.True(CompareRunFixture.Number(row, "virtualHourWallMilliseconds") < 5_000);
        Assert.Equal("measured + qualitative", row.GetProperty("basis").GetString());
    }

    [Fact]
    public void Plot_WritesReadablePngCharts()
    {
        string[] expected = ["memory.png", "switch-cost.png", "io-throughput.png", "io-memory.png", "cpu-bound.png"];
        Assert.NotNull(run.Document);
        var charts = run.Document.RootElement.GetProperty("charts").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(expected, charts.Select(Path.GetFileName));
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        foreach (string chart in charts)
        {
            byte[] bytes = File.ReadAllBytes(chart);
            Assert.True(bytes.Length > 1024, $"{chart}: {bytes.Length} bytes");
            Assert.Equal(signature, bytes[..8]);
        }
    }
}

namespace Asyncio.Cli.Compare.Measurements;

/// <summary>
/// The loop settings of every measurement: asyncio's strict FIFO order and no debug mode, whatever ASYNCIO_SEED or
/// ASYNCIO_DEBUG say, so the numbers (and the lost-update count of the racy loop program) mean the same on every run.
/// </summary>
internal static class MeasureLoop
{
    public static LoopOptions Options { get; } = new() { Scheduling = Scheduling.Fifo, Debug = false };
}

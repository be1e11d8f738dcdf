namespace Asyncio.Testing;

/// <summary>
/// Thrown by <see cref="AioTest.RunWithSeeds(IEnumerable{int}, Func{Coroutine}, AioTestOptions?)"/> when the body failed
/// under one of the seeds: names the seed so the schedule can be replayed. The failure is the
/// <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class SeededRunFailedException : Exception
{
    internal SeededRunFailedException(int seed, IReadOnlyList<int> passedSeeds, Exception failure)
        : base(BuildMessage(seed, passedSeeds, failure), failure)
    {
        Seed = seed;
        PassedSeeds = passedSeeds;
    }

    /// <summary>The seed whose schedule failed.</summary>
    public int Seed { get; }

    /// <summary>The seeds that ran before it and passed.</summary>
    public IReadOnlyList<int> PassedSeeds { get; }

    private static string BuildMessage(int seed, IReadOnlyList<int> passed, Exception failure) =>
        $"The test failed under the seeded schedule {seed}" +
        (passed.Count == 0 ? "" : $" (after {passed.Count} seed(s) that passed)") +
        $". Replay it with AioTest.Run(body, new AioTestOptions {{ Seed = {seed} }}). " +
        $"{failure.GetType().Name}: {failure.Message}";
}

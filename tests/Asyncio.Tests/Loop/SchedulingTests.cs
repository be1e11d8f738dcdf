namespace Asyncio.Tests.Loop;

/// <summary>
/// Seeded schedules (<see cref="LoopOptions.Seed"/>, <see cref="Scheduling"/>): replayable perturbation of the order in
/// which different tasks run, keeping the order inside each task and each future. Tests that read or set the
/// ASYNCIO_SEED environment variable are in <see cref="SchedulingEnvironmentTests"/>.
/// </summary>
public class SchedulingTests
{
    private static LoopOptions Seeded(int seed) =>
        new() { Clock = new VirtualClock(), Seed = seed, Scheduling = Scheduling.Seeded };

    /// <summary>Five tasks, each logging "task.step" three times with a yield in between.</summary>
    internal static string RunWorkload(LoopOptions options)
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            async Coroutine Worker(int id)
            {
                for (int i = 0; i < 3; i++)
                {
                    log.Add($"{id}.{i}");
                    await Aio.Sleep(0);
                }
            }

            var tasks = Enumerable.Range(0, 5).Select(i => Aio.CreateTask(Worker(i))).ToList();
            foreach (AioTask t in tasks)
            {
                await t;
            }
        }, options);
        return string.Join(" ", log);
    }

    internal const string FifoOrder = "0.0 1.0 2.0 3.0 4.0 0.1 1.1 2.1 3.1 4.1 0.2 1.2 2.2 3.2 4.2";

    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void Seed_SameSeed_GivesTheSameInterleaving()
    {
        foreach (int seed in new[] { 1, 7, 42, -3 })
        {
            Assert.Equal(RunWorkload(Seeded(seed)), RunWorkload(Seeded(seed)));
        }
    }

    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void Seed_DifferentSeeds_GiveDifferentInterleavings()
    {
        var orders = Enumerable.Range(0, 10).Select(seed => RunWorkload(Seeded(seed))).ToList();
        Assert.True(orders.Distinct().Count() > 1, "ten seeds all gave the same interleaving");
        Assert.Contains(orders, o => o != FifoOrder);
    }

    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void Seed_TheStepsOfEachTask_KeepTheirOrder()
    {
        for (int seed = 0; seed < 10; seed++)
        {
            string[] entries = RunWorkload(Seeded(seed)).Split(' ');
            Assert.Equal(15, entries.Length);
            for (int id = 0; id < 5; id++)
            {
                var steps = entries.Where(e => e.StartsWith($"{id}.", StringComparison.Ordinal)).ToList();
                Assert.Equal(new[] { $"{id}.0", $"{id}.1", $"{id}.2" }, steps);
            }
        }
    }

    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void Seed_DoneCallbacksOfOneFuture_RunInRegistrationOrder()
    {
        for (int seed = 0; seed < 10; seed++)
        {
            var log = new List<string>();
            Aio.Run(async () =>
            {
                var f1 = new Future<int>();
                var f2 = new Future<int>();
                for (int i = 0; i < 5; i++)
                {
                    int n = i;
                    f1.AddDoneCallback(_ => log.Add($"f1.{n}"));
                    f2.AddDoneCallback(_ => log.Add($"f2.{n}"));
                }

                f1.SetResult(1);
                f2.SetResult(2);
                await Aio.Sleep(0);
                await Aio.Sleep(0);
            }, Seeded(seed));
            Assert.Equal(10, log.Count);
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"f1.{i}"), log.Where(e => e.StartsWith("f1", StringComparison.Ordinal)));
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"f2.{i}"), log.Where(e => e.StartsWith("f2", StringComparison.Ordinal)));
        }
    }

    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void Seed_PlainCallSoonCallbacks_KeepTheirFifoOrder()
    {
        for (int seed = 0; seed < 10; seed++)
        {
            var log = new List<int>();
            Aio.Run(async () =>
            {
                var loop = Aio.GetRunningLoop();
                for (int i = 0; i < 8; i++)
                {
                    int n = i;
                    loop.CallSoon(() => log.Add(n));
                }

                await Aio.Sleep(0);
                await Aio.Sleep(0);
            }, Seeded(seed));
            Assert.Equal(Enumerable.Range(0, 8), log);
        }
    }

    // LoopOptions.Seed: "... and timers due at the same instant, run in an order shuffled by this seed".
    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void Seed_TasksWhoseSleepsEndAtTheSameInstant_WakeInAnOrderThatVariesWithTheSeed()
    {
        string Run(int seed)
        {
            var woke = new List<int>();
            Aio.Run(async () =>
            {
                async Coroutine Sleeper(int n)
                {
                    await Aio.Sleep(1);
                    woke.Add(n);
                }

                var tasks = Enumerable.Range(0, 6).Select(i => Aio.CreateTask(Sleeper(i))).ToList();
                foreach (AioTask t in tasks)
                {
                    await t;
                }
            }, Seeded(seed));
            return string.Join(",", woke);
        }

        Assert.Equal(Run(5), Run(5));
        Assert.True(Enumerable.Range(0, 10).Select(Run).Distinct().Count() > 1);
    }

    // LoopOptions.Seed: "... and timers due at the same instant, run in an order shuffled by this seed".
    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void Seed_CallAtTimersDueAtTheSameInstant_RunInAnOrderThatVariesWithTheSeed()
    {
        string Run(int seed)
        {
            var fired = new List<int>();
            Aio.Run(async () =>
            {
                var loop = Aio.GetRunningLoop();
                for (int i = 0; i < 6; i++)
                {
                    int n = i;
                    loop.CallAt(1.0, () => fired.Add(n));
                }

                await Aio.Sleep(2);
            }, Seeded(seed));
            return string.Join(",", fired);
        }

        Assert.Equal(Run(5), Run(5));
        Assert.True(Enumerable.Range(0, 10).Select(Run).Distinct().Count() > 1,
            "timers due at the same instant always ran in scheduling order, whatever the seed");
    }

    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void Fifo_OverridesAnExplicitSeed()
    {
        var options = new LoopOptions { Clock = new VirtualClock(), Seed = 42, Scheduling = Scheduling.Fifo };
        using (var loop = new EventLoop(options))
        {
            Assert.Null(loop.Seed);
            Assert.DoesNotContain("seed", loop.ToString());
        }

        Assert.Equal(FifoOrder, RunWorkload(options));
    }

    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void Seed_IsReportedByTheLoop()
    {
        using var loop = new EventLoop(Seeded(1234));
        Assert.Equal(1234, loop.Seed);
        Assert.Contains("seed=1234", loop.ToString());
    }
}

/// <summary>Runs alone: its tests set the process-wide ASYNCIO_SEED environment variable.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AsyncioSeedEnvironmentCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "ASYNCIO_SEED environment variable";
}

/// <summary>ASYNCIO_SEED: seeds loops whose options give no seed, unless <see cref="Scheduling.Fifo"/> is asked for.</summary>
[Collection(AsyncioSeedEnvironmentCollection.Name)]
public class SchedulingEnvironmentTests
{
    private const string Variable = "ASYNCIO_SEED";

    private static void WithSeedVariable(string? value, Action body)
    {
        string? saved = Environment.GetEnvironmentVariable(Variable);
        Environment.SetEnvironmentVariable(Variable, value);
        try
        {
            body();
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, saved);
        }
    }

    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void EnvironmentVariable_Set_SeedsLoopsWithoutAnExplicitSeed()
    {
        WithSeedVariable("1234", () =>
        {
            using (var loop = new EventLoop(new LoopOptions { Clock = new VirtualClock() }))
            {
                Assert.Equal(1234, loop.Seed);
            }

            string fromEnvironment = SchedulingTests.RunWorkload(new LoopOptions { Clock = new VirtualClock() });
            string explicitSeed = SchedulingTests.RunWorkload(new LoopOptions { Clock = new VirtualClock(), Seed = 1234 });
            Assert.Equal(explicitSeed, fromEnvironment);
        });
    }

    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void EnvironmentVariable_Set_IgnoredByFifoAndOverriddenByAnExplicitSeed()
    {
        WithSeedVariable("1234", () =>
        {
            using (var fifo = new EventLoop(new LoopOptions { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo }))
            {
                Assert.Null(fifo.Seed);
            }

            Assert.Equal(SchedulingTests.FifoOrder,
                SchedulingTests.RunWorkload(new LoopOptions { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo }));

            using var seeded = new EventLoop(new LoopOptions { Clock = new VirtualClock(), Seed = 5 });
            Assert.Equal(5, seeded.Seed);
        });
    }

    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void EnvironmentVariable_NotANumber_ThrowsAFormatExceptionNamingIt()
    {
        WithSeedVariable("forty-two", () =>
        {
            var e = Assert.Throws<FormatException>(() => new EventLoop(new LoopOptions { Clock = new VirtualClock() }));
            Assert.Contains("ASYNCIO_SEED", e.Message);
            Assert.Contains("forty-two", e.Message);
        });
    }

    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void Default_WithoutSeedOrVariable_IsFifo()
    {
        WithSeedVariable(null, () =>
        {
            using (var loop = new EventLoop(new LoopOptions { Clock = new VirtualClock() }))
            {
                Assert.Null(loop.Seed);
            }

            Assert.Equal(SchedulingTests.FifoOrder, SchedulingTests.RunWorkload(new LoopOptions { Clock = new VirtualClock() }));
        });
    }

    // CPython: none; Asyncio.NET seeded schedules (LoopOptions.Seed, ASYNCIO_SEED)
    [Fact]
    public void Seeded_WithoutSeedOrVariable_ThrowsAnArgumentExceptionSayingWhatToSet()
    {
        WithSeedVariable(null, () =>
        {
            var e = Assert.Throws<ArgumentException>(() => new EventLoop(new LoopOptions { Scheduling = Scheduling.Seeded }));
            Assert.Contains("LoopOptions.Seed", e.Message);
            Assert.Contains("ASYNCIO_SEED", e.Message);
        });
    }
}

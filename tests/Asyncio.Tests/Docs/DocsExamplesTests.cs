using System.Net;
using System.Text;
using System.Threading.Channels;

namespace Asyncio.Tests.Docs;

/// <summary>
/// The code examples of <c>docs/*.md</c>, one test per example, each naming its doc file and section. The example's
/// code is the doc's text; the only change is that each <c>Aio.Run</c> gets a virtual clock (and strict FIFO order, so
/// <c>ASYNCIO_SEED</c> cannot reorder the output), so the tests run in no real time and assert exact virtual times.
/// <see cref="Console"/> below stands in for <see cref="System.Console"/>: every line an example prints is recorded as
/// "t: text", t being the loop time when it was printed ("-" off the loop).
/// </summary>
public sealed class DocsExamplesTests
{
    private static LoopOptions Virtual() => new() { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo };

    /// <summary>What the examples print, with the loop time of each line.</summary>
    private static class Console
    {
        private static readonly AsyncLocal<List<string>?> s_lines = new();

        /// <summary>Starts recording in this test's flow; returns the lines recorded so far (live).</summary>
        public static List<string> Record() => s_lines.Value = new List<string>();

        public static void WriteLine(string text)
        {
            List<string> lines = s_lines.Value ?? throw new InvalidOperationException("Call Console.Record() first.");
            string time = EventLoop.Current is { } loop
                ? Math.Round(loop.Time(), 3).ToString(System.Globalization.CultureInfo.InvariantCulture)
                : "-";
            lock (lines)
            {
                lines.Add($"{time}: {text}");
            }
        }
    }

    // ================================================================== getting-started-for-asyncio-users.md

    // docs/getting-started-for-asyncio-users.md, "A first program"
    [Fact]
    public void AsyncioUsers_FirstProgram_TwoSleepsOverlap()
    {
        var lines = Console.Record();
        Aio.Run(Main, Virtual());

        static async Coroutine Main()
        {
            EventLoop loop = Aio.GetRunningLoop();
            double start = loop.Time();
            AioTask a = Aio.CreateTask(Say("hello", 1));
            AioTask b = Aio.CreateTask(Say("world", 2));
            await a;
            await b;
            Console.WriteLine($"took {Math.Round(loop.Time() - start, 1)} s");
        }

        static async Coroutine Say(string what, double delay)
        {
            await Aio.Sleep(delay);
            Console.WriteLine(what);
        }

        Assert.Equal(["1: hello", "2: world", "2: took 2 s"], lines);
    }

    // docs/getting-started-for-asyncio-users.md, "Side by side" > "Coroutines and tasks"
    [Fact]
    public void AsyncioUsers_CoroutinesAndTasks_ResultsAndNames()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            static async Coroutine<int> Add(int a, int b)
            {
                await Aio.Sleep(1);
                return a + b;
            }

            int three = await Add(1, 2);                            // runs inside this task: t = 1
            AioTask<int> task = Aio.CreateTask(Add(3, 4), name: "adder");
            Console.WriteLine($"{task.Name} done: {task.IsDone}");  // adder done: False
            int seven = await task;                                 // t = 2
            Console.WriteLine($"{three} {seven} {task.Result}");    // 3 7 7
        }, Virtual());

        Assert.Equal(["1: adder done: False", "2: 3 7 7"], lines);
    }

    // docs/getting-started-for-asyncio-users.md, "A first program" (the helpers Fetch and FailAfter, used by later examples)
    private static async Coroutine<string> Fetch(string name, double delay)
    {
        await Aio.Sleep(delay);
        return name;
    }

    private static async Coroutine<string> FailAfter(double delay, string message)
    {
        await Aio.Sleep(delay);
        throw new InvalidOperationException(message);
    }

    // docs/getting-started-for-asyncio-users.md, "Side by side" > "gather"
    [Fact]
    public void AsyncioUsers_Gather_TupleArrayAndOutcomes()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            var (a, b) = await Aio.Gather(Fetch("a", 2), Fetch("b", 1));          // a tuple, t = 2
            string[] all = await Aio.Gather(new[] { Fetch("x", 1), Fetch("y", 1) }); // an array, t = 3
            Console.WriteLine($"{a} {b} {string.Join(",", all)}");

            Outcome<string>[] outcomes = await Aio.Gather(
                new[] { Fetch("ok", 1), FailAfter(1, "bad") }, returnExceptions: true);
            foreach (Outcome<string> o in outcomes)
            {
                Console.WriteLine(o.IsSuccess ? o.Value : $"failed: {o.Exception!.Message}");
            }
        }, Virtual());

        Assert.Equal(["3: a b x,y", "4: ok", "4: failed: bad"], lines);
    }

    // docs/getting-started-for-asyncio-users.md, "Side by side" > "wait_for and timeout"
    [Fact]
    public void AsyncioUsers_WaitForAndTimeout_ThrowTimeoutException()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            try
            {
                string page = await Aio.WaitFor(Fetch("page", 5), timeout: 2);
            }
            catch (TimeoutException)
            {
                Console.WriteLine("wait_for timed out");
            }

            try
            {
                await Aio.Timeout(2, async scope =>
                {
                    await Fetch("first", 1);
                    await Fetch("second", 5);
                });
            }
            catch (TimeoutException)
            {
                Console.WriteLine("timeout block timed out");
            }
        }, Virtual());

        Assert.Equal(["2: wait_for timed out", "4: timeout block timed out"], lines);
    }

    // docs/getting-started-for-asyncio-users.md, "Side by side" > "TaskGroup"
    [Fact]
    public void AsyncioUsers_TaskGroup_WaitsForEveryTask()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            AioTask<string>? first = null, second = null;
            await TaskGroup.RunAsync(async group =>
            {
                first = group.CreateTask(Fetch("a", 1));
                second = group.CreateTask(Fetch("b", 2));
            });
            Console.WriteLine($"{first!.Result} {second!.Result}");   // both done here
        }, Virtual());

        Assert.Equal(["2: a b"], lines);
    }

    // docs/getting-started-for-asyncio-users.md, "Side by side" > "Lock, Event, Semaphore"
    [Fact]
    public void AsyncioUsers_LockAndEvent()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            var lk = new AsyncLock();
            int balance = 100;

            async Coroutine Withdraw(int amount)
            {
                await using (await lk.AcquireAsync())
                {
                    int seen = balance;
                    await Aio.Sleep(0.1);   // other tasks run here, but none gets into the lock
                    balance = seen - amount;
                }
            }

            await Aio.Gather(Withdraw(30), Withdraw(50));
            Console.WriteLine($"balance {balance}");   // balance 20, at t = 0.2

            var ready = new AsyncEvent();

            async Coroutine Waiter(string name)
            {
                await ready.WaitAsync();
                Console.WriteLine($"{name} woke");
            }

            AioTask w1 = Aio.CreateTask(Waiter("w1"));
            AioTask w2 = Aio.CreateTask(Waiter("w2"));
            await Aio.Sleep(1);
            ready.Set();
            await w1;
            await w2;
        }, Virtual());

        Assert.Equal(["0.2: balance 20", "1.2: w1 woke", "1.2: w2 woke"], lines);
    }

    // docs/getting-started-for-asyncio-users.md, "Side by side" > "Queue"
    [Fact]
    public void AsyncioUsers_Queue_ProducerConsumerWithAwaitForeach()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            var queue = new AsyncQueue<int>(maxSize: 2);

            async Coroutine Producer()
            {
                for (int i = 0; i < 4; i++)
                {
                    await queue.PutAsync(i);   // waits while the queue holds 2 items
                }

                await queue.JoinAsync();       // until every item is marked done
                queue.Shutdown();              // ends the consumers' await foreach
            }

            async Coroutine Consumer(string name)
            {
                await foreach (int item in queue)
                {
                    await Aio.Sleep(1);
                    Console.WriteLine($"{name} handled {item}");
                    queue.TaskDone();
                }
            }

            await Aio.Gather(Producer(), Consumer("c1"), Consumer("c2"));
        }, Virtual());

        Assert.Equal(["1: c1 handled 0", "1: c2 handled 1", "2: c1 handled 2", "2: c2 handled 3"], lines);
    }

    // docs/getting-started-for-asyncio-users.md, "Side by side" > "to_thread"
    [Fact]
    public void AsyncioUsers_ToThread_RunsOnAnotherThread()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            static int CountPrimes(int below)
            {
                int count = 0;
                for (int n = 2; n < below; n++)
                {
                    bool prime = true;
                    for (int d = 2; d * d <= n && prime; d++)
                    {
                        prime = n % d != 0;
                    }

                    count += prime ? 1 : 0;
                }

                return count;
            }

            int loopThread = Environment.CurrentManagedThreadId;
            int workerThread = 0;
            int primes = await Aio.ToThread(() =>
            {
                workerThread = Environment.CurrentManagedThreadId;
                return CountPrimes(100_000);
            });
            Console.WriteLine($"{primes} primes, on another thread: {workerThread != loopThread}");
        }, Virtual());

        Assert.Equal(["0: 9592 primes, on another thread: True"], lines);
    }

    // docs/getting-started-for-asyncio-users.md, "Side by side" > "Streams"
    [Fact]
    public void AsyncioUsers_Streams_EchoServerAndClient()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            static async Coroutine HandleClient(AioStreamReader reader, AioStreamWriter writer)
            {
                byte[] line = await reader.ReadLineAsync();
                writer.Write(line);
                await writer.DrainAsync();
                writer.Close();
                await writer.WaitClosedAsync();
            }

            Server server = await Aio.StartServer(HandleClient, "127.0.0.1", 0);   // port 0: any free port
            int port = ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;

            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", port);
            writer.Write("hello\n"u8);
            await writer.DrainAsync();
            byte[] reply = await reader.ReadLineAsync();
            Console.WriteLine($"received {Encoding.UTF8.GetString(reply).TrimEnd()}");
            writer.Close();
            await writer.WaitClosedAsync();

            server.Close();
            await server.WaitClosedAsync();
        }, Virtual());

        Assert.Equal(["0: received hello"], lines);
    }

    // docs/getting-started-for-asyncio-users.md, "Side by side" > "Subprocesses"
    [Fact]
    public void AsyncioUsers_Subprocess_CapturesOutput()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;   // subprocesses need Linux in this build
        }

        var lines = Console.Record();
        Aio.Run(async () =>
        {
            AioProcess proc = await Aio.CreateSubprocessExec("echo", ["hello"], stdout: SubprocessRedirect.Pipe);
            var (output, _) = await proc.CommunicateAsync();
            Console.WriteLine($"exit {proc.ReturnCode}: {Encoding.UTF8.GetString(output).TrimEnd()}");

            AioProcess shell = await Aio.CreateSubprocessShell("echo oops >&2; exit 3", stderr: SubprocessRedirect.Pipe);
            var (_, error) = await shell.CommunicateAsync();
            Console.WriteLine($"exit {shell.ReturnCode}: {Encoding.UTF8.GetString(error).TrimEnd()}");
        }, Virtual());

        Assert.Equal(["0: exit 0: hello", "0: exit 3: oops"], lines);
    }

    // docs/getting-started-for-asyncio-users.md, "What differs, and why" > "catch (Exception) catches CancelledError"
    [Fact]
    public void AsyncioUsers_Differences_CatchExceptionSwallowsCancellation()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            async Coroutine Careless()
            {
                try
                {
                    await Aio.Sleep(10);
                }
                catch (Exception e)   // also catches CancelledError: the cancellation is lost
                {
                    Console.WriteLine($"careless caught {e.GetType().Name}");
                }
            }

            async Coroutine Careful()
            {
                try
                {
                    await Aio.Sleep(10);
                }
                catch (CancelledError)
                {
                    throw;            // let cancellation through ...
                }
                catch (Exception e)
                {
                    Console.WriteLine($"careful caught {e.GetType().Name}");   // ... and handle the rest
                }
            }

            AioTask careless = Aio.CreateTask(Careless());
            AioTask careful = Aio.CreateTask(Careful());
            await Aio.Sleep(1);
            careless.Cancel();
            careful.Cancel();
            await Aio.Wait([careless, careful]);
            Console.WriteLine($"careless cancelled: {careless.IsCancelled}, careful cancelled: {careful.IsCancelled}");
        }, Virtual());

        Assert.Equal(["1: careless caught CancelledError", "1: careless cancelled: False, careful cancelled: True"], lines);
    }

    // docs/getting-started-for-asyncio-users.md, "What differs, and why" > "Coroutines are cold and awaited once"
    [Fact]
    public void AsyncioUsers_Differences_CoroutineAwaitedOnce()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            Coroutine<string> fetch = Fetch("page", 1);
            string page = await fetch;
            try
            {
                await fetch;   // a second await of the same coroutine
            }
            catch (InvalidOperationException e)
            {
                Console.WriteLine(e.Message);
            }

            AioTask<string> task = Aio.CreateTask(Fetch("page", 1));
            Console.WriteLine($"{await task} {await task}");   // a task can be awaited any number of times
        }, Virtual());

        Assert.Equal(2, lines.Count);
        Assert.StartsWith("1: ", lines[0]);
        Assert.Contains("already awaited or wrapped in a task", lines[0]);
        Assert.Equal("2: page page", lines[1]);
    }

    // ================================================================== getting-started-for-dotnet-users.md

    // docs/getting-started-for-dotnet-users.md, "Running the loop"
    [Fact]
    public void DotnetUsers_RunningTheLoop_MainAndALambda()
    {
        var lines = Console.Record();
        Aio.Run(Main, Virtual());

        static async Coroutine Main()
        {
            await Aio.Sleep(1);              // seconds, as in asyncio; Aio.Sleep(TimeSpan) works too
            Console.WriteLine("one second later");
        }

        int n = Aio.Run(async () => { await Aio.Sleep(1); return 42; }, Virtual());

        Assert.Equal(["1: one second later"], lines);
        Assert.Equal(42, n);
    }

    // docs/getting-started-for-dotnet-users.md, "Why one thread"
    [Fact]
    public void DotnetUsers_OneThread_CounterNeedsNoLockAndOrderIsFixed()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            int counter = 0;

            async Coroutine Increment(string name)
            {
                for (int i = 0; i < 3; i++)
                {
                    counter++;                  // no lock, no Interlocked: nothing else runs until the await
                    Console.WriteLine($"{name}{i}");
                    await Aio.Sleep(0);         // the only place where another task may run
                }
            }

            await Aio.Gather(Increment("a"), Increment("b"));
            Console.WriteLine($"counter {counter}");
        }, Virtual());

        Assert.Equal(["0: a0", "0: b0", "0: a1", "0: b1", "0: a2", "0: b2", "0: counter 6"], lines);
    }

    // docs/getting-started-for-dotnet-users.md, "Coroutine or Task"
    [Fact]
    public void DotnetUsers_CoroutineIsColdTaskIsHot()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            static async Coroutine<int> ColdAsync()
            {
                Console.WriteLine("coroutine body runs");
                await Aio.Sleep(1);
                return 1;
            }

            static async Task<int> HotAsync()
            {
                Console.WriteLine("task body runs");
                await Aio.Sleep(1);
                return 2;
            }

            Coroutine<int> cold = ColdAsync();   // prints nothing yet
            Task<int> hot = HotAsync();          // prints "task body runs" now
            Console.WriteLine("both created");
            int sum = await cold + await hot;    // "coroutine body runs"; t = 1 when both are done
            Console.WriteLine($"sum {sum}");
        }, Virtual());

        Assert.Equal(["0: task body runs", "0: both created", "0: coroutine body runs", "1: sum 3"], lines);
    }

    // docs/getting-started-for-dotnet-users.md, "Plain async Task code runs on the loop" (first example)
    [Fact]
    public void DotnetUsers_AsyncTaskCodeResumesOnTheLoopThread()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            static async Task<int> ThreadAfterAwaitsAsync()
            {
                await Task.Yield();
                await Aio.ToThread(() => 42);   // work on the thread pool ...
                await Aio.Sleep(0.5);
                return Environment.CurrentManagedThreadId;   // ... but the method resumes on the loop
            }

            int loopThread = Environment.CurrentManagedThreadId;
            int after = await ThreadAfterAwaitsAsync();
            Console.WriteLine($"same thread: {after == loopThread}");
            Console.WriteLine($"loop context: {SynchronizationContext.Current == Aio.GetRunningLoop().SynchronizationContext}");

            AioTask<string> task = Aio.CreateTask(async Task<string> () =>
            {
                await Task.Yield();
                return $"task name: {Aio.CurrentTask!.Name}";
            }, name: "plain");
            Console.WriteLine(await task);
        }, Virtual());

        Assert.Equal(["0.5: same thread: True", "0.5: loop context: True", "0.5: task name: plain"], lines);
    }

    // docs/getting-started-for-dotnet-users.md, "CancellationToken" (first example)
    [Fact]
    public void DotnetUsers_CancellationToken_PassedToAForeignApi()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            var channel = Channel.CreateUnbounded<string>();

            async Coroutine<string> ReadOne() =>
                await channel.Reader.ReadAsync(Aio.CurrentTask!.CancellationToken);

            AioTask<string> reader = Aio.CreateTask(ReadOne());
            await Aio.Sleep(0);   // the reader now waits inside the channel
            reader.Cancel();      // fires the token: ReadAsync ends
            try
            {
                await reader;
            }
            catch (CancelledError)
            {
                Console.WriteLine($"reader cancelled: {reader.IsCancelled}");
            }
        }, Virtual());

        Assert.Equal(["0: reader cancelled: True"], lines);
    }

    // docs/getting-started-for-dotnet-users.md, "CancellationToken" (second example, WrapFuture)
    [Fact]
    public void DotnetUsers_WrapFuture_CancelReleasesAForeignAwaitAtOnce()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            var neverDone = new TaskCompletionSource<int>();   // foreign work that does not take a token

            async Coroutine<int> WaitForIt() => await Aio.WrapFuture(neverDone.Task);

            AioTask<int> waiter = Aio.CreateTask(WaitForIt());
            await Aio.Sleep(0);
            waiter.Cancel();
            try
            {
                await waiter;
            }
            catch (CancelledError)
            {
                Console.WriteLine($"released; foreign task still running: {!neverDone.Task.IsCompleted}");
            }
        }, Virtual());

        Assert.Equal(["0: released; foreign task still running: True"], lines);
    }

    // docs/getting-started-for-dotnet-users.md, "await using and await foreach"
    [Fact]
    public void DotnetUsers_AsCompleted_InCompletionOrder()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            await foreach (AioTask<string> done in Aio.AsCompleted(new[] { Fetch("slow", 3), Fetch("fast", 1), Fetch("medium", 2) }))
            {
                Console.WriteLine(await done);
            }
        }, Virtual());

        Assert.Equal(["1: fast", "2: medium", "3: slow"], lines);
    }

    // docs/getting-started-for-dotnet-users.md, "Blocking work: ToThread"
    [Fact]
    public void DotnetUsers_ToThread_FileReadAndToken()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "settings");
        try
        {
            var lines = Console.Record();
            Aio.Run(async () =>
            {
                string text = await Aio.ToThread(() => File.ReadAllText(path));
                Console.WriteLine(text);

                int lines = await Aio.ToThread(token => File.ReadLines(path).TakeWhile(_ => !token.IsCancellationRequested).Count());
                Console.WriteLine($"{lines} line");
            }, Virtual());

            Assert.Equal(["0: settings", "0: 1 line"], lines);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // docs/getting-started-for-dotnet-users.md, "Platforms: epoll and the portable backend"
    [Fact]
    public void DotnetUsers_PortableBackend_EchoesAndRefusesReadinessCallbacks()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            EventLoop loop = Aio.GetRunningLoop();
            Console.WriteLine($"backend: {loop.IoBackend}");   // Portable
            Server server = await Aio.StartServer(async (reader, writer) =>
            {
                writer.Write(await reader.ReadLineAsync());   // echo one line
                await writer.DrainAsync();
                writer.Close();
            }, "127.0.0.1", 0);
            int port = ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;
            var (r, w) = await Aio.OpenConnection("127.0.0.1", port);
            w.Write("ping\n"u8);
            Console.WriteLine(Encoding.ASCII.GetString(await r.ReadLineAsync()).TrimEnd());   // ping
            w.Close();
            server.Close();
            try
            {
                loop.AddReader(0, () => { });
            }
            catch (NotSupportedException)
            {
                Console.WriteLine("no readiness callbacks here");   // use streams, transports or Sock*Async
            }
        }, new LoopOptions { IoBackend = IoBackend.Portable, Clock = new VirtualClock(), Scheduling = Scheduling.Fifo });

        Assert.Equal(["0: backend: Portable", "0: ping", "0: no readiness callbacks here"], lines);
    }

    // docs/getting-started-for-dotnet-users.md, "Pitfalls" (Task.Delay)
    [Fact]
    public void DotnetUsers_TaskDelayOnTheLoopClock_FollowsVirtualTime()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            TimeProvider clock = Aio.GetRunningLoop().Clock;
            await Task.Delay(TimeSpan.FromSeconds(5), clock);   // real-time: no, this delay runs on the loop's virtual clock
            Console.WriteLine("delay over");
            await Aio.Sleep(5);                                 // better: cancellable, and the loop's clock
            Console.WriteLine("sleep over");
        }, Virtual());

        Assert.Equal(["5: delay over", "10: sleep over"], lines);
    }

    // docs/getting-started-for-dotnet-users.md, "Pitfalls" (ConfigureAwait(false))
    [Fact]
    public void DotnetUsers_ConfigureAwaitFalse_LeavesTheLoop()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            AioTask worker = Aio.CreateTask(async Task () =>
            {
                await signal.Task.ConfigureAwait(false);
                Console.WriteLine($"on the loop: {EventLoop.Current is not null}");   // False: a pool thread
            });
            await Aio.Sleep(0);
            signal.SetResult();
            await worker;
        }, Virtual());

        Assert.Equal(["-: on the loop: False"], lines);
    }

    // docs/getting-started-for-dotnet-users.md, "Plain async Task code runs on the loop" (second example, Cancel)
    [Fact]
    public void DotnetUsers_CancelPlainAsyncTask_RunsToItsEndThenCountsAsCancelled()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            AioTask plain = Aio.CreateTask(async Task () =>
            {
                await Aio.Sleep(10);   // not interrupted: .NET's builder owns this await
                Console.WriteLine($"still running, token cancelled: {Aio.CurrentTask!.CancellationToken.IsCancellationRequested}");
            });
            await Aio.Sleep(1);
            plain.Cancel();
            try
            {
                await plain;
            }
            catch (CancelledError)
            {
                Console.WriteLine($"cancelled: {plain.IsCancelled}");
            }
        }, Virtual());

        Assert.Equal(["10: still running, token cancelled: True", "10: cancelled: True"], lines);
    }

    // ================================================================== cancellation-and-timeouts.md

    // docs/cancellation-and-timeouts.md, "Cancelling a task"
    [Fact]
    public void Cancellation_CancelWithAMessage()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            async Coroutine Worker()
            {
                try
                {
                    await Aio.Sleep(10);
                }
                catch (CancelledError e)
                {
                    Console.WriteLine($"worker: {e.CancelMessage}");
                    throw;
                }
                finally
                {
                    Console.WriteLine("worker: cleanup");
                }
            }

            AioTask task = Aio.CreateTask(Worker());
            await Aio.Sleep(1);
            task.Cancel("shutting down");
            try
            {
                await task;
            }
            catch (CancelledError e)
            {
                Console.WriteLine($"main: {e.Message}, cancelled: {task.IsCancelled}");
            }
        }, Virtual());

        Assert.Equal(["1: worker: shutting down", "1: worker: cleanup", "1: main: shutting down, cancelled: True"], lines);
    }

    // docs/cancellation-and-timeouts.md, "Cancelling and Uncancel"
    [Fact]
    public void Cancellation_SwallowAndUncancel()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            async Coroutine Resilient()
            {
                AioTask me = Aio.CurrentTask!;
                try
                {
                    await Aio.Sleep(10);
                }
                catch (CancelledError)
                {
                    Console.WriteLine($"cancelling {me.Cancelling()}, token {me.CancellationToken.IsCancellationRequested}");
                    me.Uncancel();   // handled: withdraw the request
                    Console.WriteLine($"cancelling {me.Cancelling()}, token {me.CancellationToken.IsCancellationRequested}");
                }

                await Aio.Sleep(1);   // runs normally
                Console.WriteLine("carried on");
            }

            AioTask task = Aio.CreateTask(Resilient());
            await Aio.Sleep(1);
            task.Cancel();
            await task;
            Console.WriteLine($"cancelled: {task.IsCancelled}");
        }, Virtual());

        Assert.Equal(
            ["1: cancelling 1, token True", "1: cancelling 0, token False", "2: carried on", "2: cancelled: False"], lines);
    }

    // docs/cancellation-and-timeouts.md, "Shield"
    [Fact]
    public void Cancellation_Shield_InnerWorkGoesOn()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            async Coroutine<string> Save()
            {
                await Aio.Sleep(2);
                Console.WriteLine("saved");
                return "ok";
            }

            async Coroutine Handler()
            {
                try
                {
                    string result = await Aio.Shield(Save());
                }
                catch (CancelledError)
                {
                    Console.WriteLine("handler cancelled; the save goes on");
                    throw;
                }
            }

            AioTask handler = Aio.CreateTask(Handler());
            await Aio.Sleep(1);
            handler.Cancel();
            await Aio.Sleep(2);
        }, Virtual());

        Assert.Equal(["1: handler cancelled; the save goes on", "2: saved"], lines);
    }

    // docs/cancellation-and-timeouts.md, "WaitFor"
    [Fact]
    public void Cancellation_WaitFor_WaitsForTheCancelledWorkToFinish()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            async Coroutine<string> Slow()
            {
                try
                {
                    await Aio.Sleep(5);
                    return "done";
                }
                finally
                {
                    Console.WriteLine("slow: cleaned up");
                }
            }

            try
            {
                string result = await Aio.WaitFor(Slow(), timeout: 2);
            }
            catch (TimeoutException e)
            {
                Console.WriteLine($"timed out ({e.InnerException?.GetType().Name})");
            }
        }, Virtual());

        Assert.Equal(["2: slow: cleaned up", "2: timed out (CancelledError)"], lines);
    }

    // docs/cancellation-and-timeouts.md, "Timeout and TimeoutAt"
    [Fact]
    public void Cancellation_Timeout_ScopeExpiredWhenAndReschedule()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            EventLoop loop = Aio.GetRunningLoop();

            TimeoutScope? seen = null;
            try
            {
                await Aio.Timeout(1, async scope =>
                {
                    seen = scope;
                    await Aio.Sleep(10);
                });
            }
            catch (TimeoutException)
            {
                Console.WriteLine($"expired {seen!.Expired}, deadline was t={seen.When}");
            }

            // t = 1
            int answer = await Aio.Timeout(5, async scope =>
            {
                await Aio.Sleep(4);                   // t = 5: one second left
                scope.Reschedule(loop.Time() + 5);    // deadline moves from t = 6 to t = 10
                await Aio.Sleep(4);                   // t = 9
                return 42;
            });
            Console.WriteLine($"answer {answer}");

            await Aio.TimeoutAt(loop.Time() + 3, async scope =>
            {
                Console.WriteLine($"deadline t={scope.When}");
                await Aio.Sleep(1);
            });

            try
            {
                await Aio.Timeout(null, async scope =>   // no deadline yet
                {
                    await Aio.Sleep(1);
                    scope.Reschedule(loop.Time() + 0.5);   // now there is one
                    await Aio.Sleep(1);
                });
            }
            catch (TimeoutException e)
            {
                Console.WriteLine(e.Message);
            }
        }, Virtual());

        Assert.Equal(
        [
            "1: expired True, deadline was t=1",
            "9: answer 42",
            "9: deadline t=12",
            "11.5: Timed out: the deadline t=11.5 of an Aio.Timeout block passed; the work was cancelled and has finished.",
        ], lines);
    }

    // docs/cancellation-and-timeouts.md, "Nesting"
    [Fact]
    public void Cancellation_NestedTimeouts_OnlyTheScopeThatFiredConverts()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            await Aio.Timeout(10, async outer =>
            {
                try
                {
                    await Aio.Timeout(1, async inner => await Aio.Sleep(5));
                }
                catch (TimeoutException)
                {
                    Console.WriteLine("inner timed out");
                }

                await Aio.Sleep(1);
                Console.WriteLine($"outer expired: {outer.Expired}");
            });

            try
            {
                await Aio.Timeout(1, async outer =>
                {
                    try
                    {
                        await Aio.Timeout(5, async inner => await Aio.Sleep(10));
                    }
                    catch (CancelledError)
                    {
                        Console.WriteLine("inner block sees CancelledError");
                        throw;
                    }
                });
            }
            catch (TimeoutException)
            {
                Console.WriteLine("outer timed out");
            }
        }, Virtual());

        Assert.Equal(["1: inner timed out", "2: outer expired: False", "3: inner block sees CancelledError", "3: outer timed out"], lines);
    }

    // docs/cancellation-and-timeouts.md, "CancellationToken arguments"
    [Fact]
    public void Cancellation_TokenOnAWait_OperationCanceledNotCancelledError()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            var ready = new AsyncEvent();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2), Aio.GetRunningLoop().Clock);
            try
            {
                await ready.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException e) when (e is not CancelledError)
            {
                Console.WriteLine($"gave up waiting; task cancelled: {Aio.CurrentTask!.IsCancelled}");
            }
        }, Virtual());

        Assert.Equal(["2: gave up waiting; task cancelled: False"], lines);
    }

    // docs/cancellation-and-timeouts.md, "TaskGroup"
    [Fact]
    public void Cancellation_TaskGroup_FirstFailureCancelsTheRest()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            async Coroutine Long(string name)
            {
                try
                {
                    await Aio.Sleep(10);
                }
                catch (CancelledError)
                {
                    Console.WriteLine($"{name} cancelled");
                    throw;
                }
            }

            async Coroutine Fail(double after)
            {
                await Aio.Sleep(after);
                throw new InvalidOperationException("boom");
            }

            try
            {
                await TaskGroup.RunAsync(async group =>
                {
                    _ = group.CreateTask(Long("a"));   // the group owns and awaits its tasks
                    _ = group.CreateTask(Long("b"));
                    _ = group.CreateTask(Fail(1));
                    await Aio.Sleep(5);   // the body is cancelled too
                });
            }
            catch (TaskGroupException e)
            {
                foreach (Exception inner in e.InnerExceptions)
                {
                    Console.WriteLine($"error: {inner.Message}");
                }
            }
        }, Virtual());

        Assert.Equal(["1: a cancelled", "1: b cancelled", "1: error: boom"], lines);
    }

    // docs/cancellation-and-timeouts.md, "When Aio.Run ends"
    [Fact]
    public void Cancellation_AioRunExit_CancelsLeftoverTasks()
    {
        var lines = Console.Record();
        Aio.Run(async () =>
        {
            static async Coroutine Background()
            {
                try
                {
                    await Aio.Sleep(3600);
                }
                finally
                {
                    Console.WriteLine("background: cleaned up");
                }
            }

            _ = Aio.CreateTask(Background());
            await Aio.Sleep(1);
            Console.WriteLine("main: done");
        }, Virtual());

        Assert.Equal(["1: main: done", "1: background: cleaned up"], lines);
    }

    // docs/cancellation-and-timeouts.md, "Ctrl-C"
    [Fact]
    public void Cancellation_CtrlC_KeyboardInterruptExceptionPattern()
    {
        var lines = Console.Record();
        int exitCode = RunProgram();

        int RunProgram()
        {
            try
            {
                Aio.Run(Main, Virtual());
                return 0;
            }
            catch (KeyboardInterruptException)
            {
                Console.WriteLine("interrupted");
                return 130;
            }
        }

        static async Coroutine Main() => await Aio.Sleep(1);

        Assert.Equal(0, exitCode);
        Assert.Empty(lines);
    }

    // ================================================================== testing-with-virtual-time.md

    // docs/testing-with-virtual-time.md, "A first test"
    [Fact]
    public void VirtualTime_SemaphoreOfThreeOverTenJobs_FinishesAtEightSeconds()
    {
        var clock = new VirtualClock();
        var semaphore = new AsyncSemaphore(3);
        int inside = 0, maxInside = 0;

        async Coroutine Job()
        {
            await using (await semaphore.AcquireAsync())
            {
                inside++;
                maxInside = Math.Max(maxInside, inside);
                await Aio.Sleep(2);
                inside--;
            }
        }

        double end = Aio.Run(async () =>
        {
            await Aio.Gather(Enumerable.Range(0, 10).Select(_ => Job()));
            return Aio.GetRunningLoop().Time();
        }, new LoopOptions { Clock = clock });

        Assert.Equal(8.0, end);                              // 10 jobs, 3 at a time: 4 rounds of 2 s
        Assert.Equal(3, maxInside);
        Assert.Equal(TimeSpan.FromSeconds(8), clock.Elapsed);
    }

    // docs/testing-with-virtual-time.md, "How time moves" (Advance; ToThread holds time back)
    [Fact]
    public void VirtualTime_ToThreadHoldsTime_AdvanceMovesItByHand()
    {
        var lines = Console.Record();
        var clock = new VirtualClock();
        Aio.Run(async () =>
        {
            EventLoop loop = Aio.GetRunningLoop();
            loop.CallLater(10, () => Console.WriteLine("timer"));
            long sum = await Aio.ToThread(() => Enumerable.Range(0, 1000).Sum(i => (long)i * i));
            Console.WriteLine($"thread work done, sum {sum}");   // t = 0: time waited for the thread
            clock.Advance(TimeSpan.FromSeconds(3));              // a blocking call that "took" 3 s
            Console.WriteLine($"advanced to t={loop.Time()}");
            await Aio.Sleep(10);
        }, new LoopOptions { Clock = clock, Scheduling = Scheduling.Fifo });

        Assert.Equal(["0: thread work done, sum 332833500", "3: advanced to t=3", "10: timer"], lines);
    }

    // docs/testing-with-virtual-time.md, "Deadlocks"
    [Fact]
    public void VirtualTime_NothingCanHappen_DeadlockException()
    {
        var e = Assert.Throws<DeadlockException>(() => Aio.Run(async () =>
        {
            var ready = new AsyncEvent();   // nobody will ever set it

            async Coroutine Waiter() => await ready.WaitAsync();

            await Aio.CreateTask(Waiter(), name: "waiter");
        }, new LoopOptions { Clock = new VirtualClock() }));

        Assert.StartsWith("Deadlock: the loop is idle in virtual time", e.Message);
        Assert.Contains(e.PendingTasks, line => line.StartsWith("task 'waiter'", StringComparison.Ordinal));
    }

    // docs/testing-with-virtual-time.md, "Seeded schedules"
    [Fact]
    public void VirtualTime_SeededSchedules_FindAnOrderingBugFifoHides()
    {
        static string? LoadThenUse(LoopOptions options)
        {
            string? seen = null;
            Aio.Run(async () =>
            {
                string? config = null;

                async Coroutine Load()
                {
                    await Aio.Sleep(0);
                    config = "loaded";
                }

                async Coroutine Use()
                {
                    await Aio.Sleep(0);
                    seen = config;   // bug: assumes Load has finished
                }

                await Aio.Gather(Load(), Use());
            }, options);
            return seen;
        }

        Assert.Equal("loaded", LoadThenUse(new LoopOptions { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo }));

        var failing = Enumerable.Range(0, 20)
            .Where(seed => LoadThenUse(new LoopOptions { Clock = new VirtualClock(), Seed = seed }) is null)
            .ToList();
        Assert.NotEmpty(failing);
        Assert.Equal(2, failing[0]);   // the doc names seed 2
        Assert.Null(LoadThenUse(new LoopOptions { Clock = new VirtualClock(), Seed = 2 }));   // same seed, same order
    }

    // docs/testing-with-virtual-time.md, "An xunit test"
    [Fact]
    public void VirtualTime_XunitExample_RetryBacksOffExponentially()
    {
        var attempts = new List<double>();
        var clock = new VirtualClock();

        string result = Aio.Run(async () =>
        {
            EventLoop loop = Aio.GetRunningLoop();
            async Coroutine<string> Flaky()
            {
                attempts.Add(loop.Time());
                await Aio.Sleep(0.1);   // the "request"
                if (attempts.Count < 4)
                {
                    throw new IOException("unavailable");
                }

                return "ok";
            }

            return await RetryAsync(Flaky, maxAttempts: 5, firstDelay: 1);
        }, new LoopOptions { Clock = clock });

        Assert.Equal("ok", result);
        Assert.Equal([0.0, 1.1, 3.2, 7.3], attempts.Select(t => Math.Round(t, 6)));
        Assert.Equal(7.4, clock.Seconds, 6);
    }

    // docs/testing-with-virtual-time.md, "An xunit test" (the code under test)
    private static async Coroutine<T> RetryAsync<T>(Func<Coroutine<T>> action, int maxAttempts, double firstDelay)
    {
        double delay = firstDelay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (IOException) when (attempt < maxAttempts)
            {
                await Aio.Sleep(delay);
                delay *= 2;
            }
        }
    }
}

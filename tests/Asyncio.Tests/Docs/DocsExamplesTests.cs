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

    // docs/getting-started-for-asyncio-users.md, "Coroutines and tasks"
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

    // docs/getting-started-for-asyncio-users.md, "gather"
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

    // docs/getting-started-for-asyncio-users.md, "wait_for and timeout"
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

    // docs/getting-started-for-asyncio-users.md, "TaskGroup"
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

    // docs/getting-started-for-asyncio-users.md, "Lock, Event, Semaphore"
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

    // docs/getting-started-for-asyncio-users.md, "Queue"
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

    // docs/getting-started-for-asyncio-users.md, "to_thread"
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

    // docs/getting-started-for-asyncio-users.md, "Streams"
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

    // docs/getting-started-for-asyncio-users.md, "Subprocesses"
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

    // docs/getting-started-for-asyncio-users.md, "What differs: catch (Exception) catches CancelledError"
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

    // docs/getting-started-for-asyncio-users.md, "What differs: a coroutine is awaited once"
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
}

using Asyncio;

// Usage:
//   Asyncio.TestHost sigint [--ignore-first]   prints "ready" once the main task waits; the test then sends SIGINT.
//   Asyncio.TestHost inspect [--stall]         runs a known task tree with inspection on, prints "ready", and waits
//                                               (with --stall, a callback then blocks the loop) until killed.
//   Asyncio.TestHost backend                   echoes a line over TCP on a default loop and prints its I/O backend and
//                                               the line (the test sets ASYNCIO_SELECTOR).
return args.FirstOrDefault() switch
{
    "sigint" => Sigint(args.Contains("--ignore-first")),
    "inspect" => Inspect(args.Contains("--stall")),
    "backend" => Backend(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Asyncio.TestHost sigint [--ignore-first] | inspect [--stall] | backend");
    return 2;
}

static int Backend()
{
    string line = Aio.Run(async () =>
    {
        Server server = await Aio.StartServer(async (r, w) =>
        {
            w.Write(await r.ReadLineAsync());
            await w.DrainAsync();
            w.Close();
        }, "127.0.0.1", 0);
        int port = ((System.Net.IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;
        var (reader, writer) = await Aio.OpenConnection("127.0.0.1", port);
        writer.Write("echo\n"u8);
        string echoed = System.Text.Encoding.ASCII.GetString(await reader.ReadLineAsync()).Trim();
        writer.Close();
        server.Close();
        await server.WaitClosedAsync();
        return $"{Aio.GetRunningLoop().IoBackend} {echoed}";
    }, new LoopOptions { Clock = new VirtualClock() });
    Console.WriteLine(line);
    return 0;
}

static int Sigint(bool ignoreFirst)
{
    try
    {
        Aio.Run(async () =>
        {
            Console.WriteLine("ready");
            Console.Out.Flush();
            try
            {
                await Aio.Sleep(double.PositiveInfinity);
            }
            catch (CancelledError) when (ignoreFirst)
            {
                Console.WriteLine("ignored first interrupt");
                Console.Out.Flush();
                Aio.CurrentTask!.Uncancel();
                await Aio.Sleep(double.PositiveInfinity);
            }
        });
        Console.WriteLine("main returned");
        return 0;
    }
    catch (KeyboardInterruptException)
    {
        Console.WriteLine("KeyboardInterruptException");
        return 3;
    }
}

// The tree the inspection tests expect:
//   main ── TaskGroup ──┬── worker-a ── gather ──┬── leaf-1 (sleeps)
//                       │                        └── leaf-2 (sleeps)
//                       └── worker-b (waits in AsyncQueue.GetAsync)
static int Inspect(bool stall)
{
    Aio.Run(async () =>
    {
        Aio.CurrentTask!.Name = "main";
        var queue = new AsyncQueue<int>();
        await TaskGroup.RunAsync(async group =>
        {
            _ = group.CreateTask(WorkerA(), name: "worker-a");
            _ = group.CreateTask(WorkerB(queue), name: "worker-b");
            await Aio.Sleep(0.01);
            Console.WriteLine("ready");
            Console.Out.Flush();
            if (stall)
            {
                EventLoop.GetRunningLoop().CallSoon(BlockTheLoop);
            }
        });
    }, new LoopOptions { EnableInspection = true });
    return 0;
}

static async Coroutine WorkerA() =>
    await Aio.Gather(Aio.CreateTask(Leaf(), name: "leaf-1"), Aio.CreateTask(Leaf(), name: "leaf-2"));

static async Coroutine Leaf() => await Aio.Sleep(double.PositiveInfinity);

static async Coroutine WorkerB(AsyncQueue<int> queue) => await queue.GetAsync();

static void BlockTheLoop() => Thread.Sleep(Timeout.Infinite);   // real-time: a stalled loop for the inspection test, which kills the process

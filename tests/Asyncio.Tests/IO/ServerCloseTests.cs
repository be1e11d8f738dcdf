using System.Net;
using System.Net.Sockets;
using static Asyncio.Tests.SyncTestKit;

namespace Asyncio.Tests.IO;

/// <summary>
/// Closing a <see cref="Server"/> with clients connected, over real sockets on 127.0.0.1: ports of CPython's
/// <c>Lib/test/test_asyncio/test_server.py</c> (<c>TestServer2</c>, <c>BaseStartServer.test_start_server_1</c>) and of
/// the behaviour of <c>Server</c> in <c>Lib/asyncio/base_events.py</c> (3.12.1+): <c>close()</c> stops accepting and
/// leaves accepted connections alone, <c>wait_closed()</c> returns once the server is closed and every connection is
/// gone, <c>close_clients()</c>/<c>abort_clients()</c> end the connections, <c>serve_forever()</c> ends with
/// <c>CancelledError</c>.
/// </summary>
/// <remarks>
/// Each test runs on a virtual-time FIFO loop on a thread of its own and fails after
/// <see cref="LoopRun.HangTimeout"/> of real time instead of hanging. <c>RuntimeError</c> is
/// <see cref="InvalidOperationException"/>; <c>srv.sockets == ()</c> is an empty <see cref="Server.Sockets"/>.
/// </remarks>
public class ServerCloseTests
{
    /// <summary>The I/O backend under test: Auto (epoll on Linux, or ASYNCIO_SELECTOR); ServerCloseTestsOnPortableBackend runs every test on the portable one.</summary>
    protected virtual IoBackend Backend => IoBackend.Auto;

    /// <summary>Virtual time, strict FIFO (as <see cref="LoopRun.Virtual"/>) on <see cref="Backend"/>.</summary>
    private LoopOptions Options => new() { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo, IoBackend = Backend };

    private static int PortOf(Server server) => ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;

    /// <summary>Records what reaches the loop's exception handler (CPython's tests collect <c>messages</c>).</summary>
    private static List<LoopExceptionContext> CaptureReports()
    {
        var reports = new List<LoopExceptionContext>();
        Aio.GetRunningLoop().SetExceptionHandler((_, ctx) => reports.Add(ctx));
        return reports;
    }

    /// <summary>CPython's <c>serve</c> of TestServer2: read until EOF, then close and wait.</summary>
    private static async Coroutine ReadAllThenClose(AioStreamReader reader, AioStreamWriter writer)
    {
        try
        {
            await reader.ReadAsync(-1);
        }
        finally
        {
            writer.Close();
            await writer.WaitClosedAsync();
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, in virtual milliseconds: each sleep lets the loop wait for I/O
    /// (up to <see cref="VirtualClock.IoGrace"/> of real time) before time jumps, so completions delivered by another
    /// thread (the portable backend) arrive as surely as epoll readiness. Fails after 1000 steps.
    /// </summary>
    private static async Coroutine Until(Func<bool> condition, string what)
    {
        for (int i = 0; i < 1000; i++)
        {
            if (condition())
            {
                return;
            }

            await Aio.Sleep(0.001);
        }

        Assert.Fail($"never happened: {what}");
    }

    // CPython: test_server.py TestServer2.test_wait_closed_basic
    [Fact]
    public void WaitClosedAsync_BlocksUntilClosedAndEveryConnectionGone()
    {
        RunAio(async () =>
        {
            List<LoopExceptionContext> reports = CaptureReports();
            Server srv = await Aio.StartServer(ReadAllThenClose, "127.0.0.1", 0);
            try
            {
                // active count = 0, not closed: should block
                AioTask task1 = Aio.CreateTask(srv.WaitClosedAsync());
                await Yield();
                Assert.False(task1.IsDone);

                // active count != 0, not closed: should block
                var (rd, wr) = await Aio.OpenConnection("127.0.0.1", PortOf(srv));
                AioTask task2 = Aio.CreateTask(srv.WaitClosedAsync());
                await Yield();
                Assert.False(task1.IsDone);
                Assert.False(task2.IsDone);

                srv.Close();
                await Yield();
                // active count != 0, closed: should block
                AioTask task3 = Aio.CreateTask(srv.WaitClosedAsync());
                await Yield();
                Assert.False(task1.IsDone);
                Assert.False(task2.IsDone);
                Assert.False(task3.IsDone);
                await Until(() => srv.ActiveConnections == 1, "the server accepted the connection");

                wr.Close();
                await wr.WaitClosedAsync();
                // active count == 0, closed: should unblock
                await task1;
                await task2;
                await task3;
                await srv.WaitClosedAsync();   // Return immediately
                Assert.Equal(0, srv.ActiveConnections);
                Assert.Empty(reports);
            }
            finally
            {
                srv.Close();
            }
        }, Options);
    }

    // CPython: test_server.py TestServer2.test_wait_closed_race (a regression in 3.12.0, fixed in 3.12.1)
    [Fact]
    public void WaitClosedAsync_ServerAndClientClosedInTheSameIteration_Returns()
    {
        RunAio(async () =>
        {
            Server srv = await Aio.StartServer(ReadAllThenClose, "127.0.0.1", 0);
            try
            {
                AioTask task = Aio.CreateTask(srv.WaitClosedAsync());
                await Yield();
                Assert.False(task.IsDone);
                var (rd, wr) = await Aio.OpenConnection("127.0.0.1", PortOf(srv));
                EventLoop loop = Aio.GetRunningLoop();
                loop.CallSoon(srv.Close);
                loop.CallSoon(wr.Close);
                await srv.WaitClosedAsync();
                await task;
            }
            finally
            {
                srv.Close();
            }
        }, Options);
    }

    // CPython: test_server.py TestServer2.test_close_clients
    [Fact]
    public void CloseClients_ClosesEveryConnection_WaitClosedReturns_ClientSeesEof()
    {
        RunAio(async () =>
        {
            List<LoopExceptionContext> reports = CaptureReports();
            Server srv = await Aio.StartServer(ReadAllThenClose, "127.0.0.1", 0);
            try
            {
                var (rd, wr) = await Aio.OpenConnection("127.0.0.1", PortOf(srv));
                try
                {
                    await Until(() => srv.ActiveConnections == 1, "the server accepted the connection");
                    AioTask task = Aio.CreateTask(srv.WaitClosedAsync());
                    await Yield();
                    Assert.False(task.IsDone);

                    srv.Close();
                    srv.CloseClients();
                    await Yield();
                    await Yield();
                    Assert.True(task.IsDone);   // as CPython: two iterations (connection lost, then the waiter)
                    Assert.Equal(0, srv.ActiveConnections);

                    Assert.Empty(await rd.ReadAsync(-1));   // the server's FIN
                    Assert.True(rd.AtEof);
                    Assert.Empty(reports);
                }
                finally
                {
                    wr.Close();
                }
            }
            finally
            {
                srv.Close();
            }
        }, Options);
    }

    // CPython: test_server.py TestServer2.test_abort_clients: the server side has data it cannot send (the client does
    // not read); abort_clients drops it and wait_closed returns at once.
    [Fact]
    public void AbortClients_DropsUnsentData_WaitClosedReturns_ClientSeesResetOrEof()
    {
        RunAio(async () =>
        {
            EventLoop loop = Aio.GetRunningLoop();
            Future<AioStreamWriter> accepted = loop.CreateFuture<AioStreamWriter>();
            Server srv = await Aio.StartServer(async (r, w) =>
            {
                accepted.SetResult(w);
                await w.WaitClosedAsync();
            }, "127.0.0.1", 0);
            try
            {
                var (cRd, cWr) = await Aio.OpenConnection("127.0.0.1", PortOf(srv), limit: 4096);
                try
                {
                    AioStreamWriter sWr = await accepted;
                    var sSock = (Socket)sWr.GetExtraInfo("socket")!;
                    sSock.SendBufferSize = 65536;
                    var cSock = (Socket)cWr.GetExtraInfo("socket")!;
                    cSock.ReceiveBufferSize = 65536;

                    // Get the reader in to a paused state by sending more than twice the configured limit.
                    var chunk = new byte[4096];
                    sWr.Write(chunk);
                    sWr.Write(chunk);
                    sWr.Write(chunk);
                    await Until(() => !cWr.Transport.IsReading, "the client paused reading");

                    // Fill the kernel buffers until the server transport keeps data of its own.
                    var big = new byte[cSock.ReceiveBufferSize + sSock.SendBufferSize];
                    for (int i = 0; i < 10 && sWr.Transport.WriteBufferSize == 0; i++)
                    {
                        sWr.Write(big);
                    }

                    Assert.NotEqual(0, sWr.Transport.WriteBufferSize);

                    AioTask task = Aio.CreateTask(srv.WaitClosedAsync());
                    await Yield();
                    Assert.False(task.IsDone);

                    srv.Close();
                    srv.AbortClients();
                    await Yield();
                    await Yield();
                    Assert.True(task.IsDone);
                    Assert.Equal(0, sWr.Transport.WriteBufferSize);

                    // The client: what arrived before the abort, then a reset or the end of the stream.
                    Exception? error = null;
                    try
                    {
                        while ((await cRd.ReadAsync(1 << 20)).Length > 0)
                        {
                        }
                    }
                    catch (Exception e)
                    {
                        error = e;
                    }

                    Assert.True(error is null or SocketException or IOException, error?.ToString());
                }
                finally
                {
                    cWr.Close();
                }
            }
            finally
            {
                srv.Close();
            }
        }, Options);
    }

    // Close() stops accepting: the listening port is closed at once, so a new connection is refused, while the
    // connection accepted before keeps working both ways until it is closed (base_events.py Server.close).
    [Fact]
    public void Close_RefusesNewConnections_ExistingOnesKeepWorking()
    {
        RunAio(async () =>
        {
            List<LoopExceptionContext> reports = CaptureReports();
            Server srv = await Aio.StartServer(async (r, w) =>
            {
                while (await r.ReadLineAsync() is { Length: > 0 } line)
                {
                    w.Write(line);
                    await w.DrainAsync();
                }

                w.Close();
                await w.WaitClosedAsync();
            }, "127.0.0.1", 0);
            int port = PortOf(srv);
            var (rd, wr) = await Aio.OpenConnection("127.0.0.1", port);
            wr.Write("before\n"u8);
            Assert.Equal("before\n"u8.ToArray(), await rd.ReadLineAsync());

            srv.Close();
            Assert.False(srv.IsServing);
            Assert.Empty(srv.Sockets);
            Assert.Equal(1, srv.ActiveConnections);
            await ThrowsAnyAsync<SocketException>(async () => await Aio.OpenConnection("127.0.0.1", port));

            wr.Write("after\n"u8);
            await wr.DrainAsync();
            Assert.Equal("after\n"u8.ToArray(), await rd.ReadLineAsync());

            AioTask waitClosed = Aio.CreateTask(srv.WaitClosedAsync());
            await Yield();
            Assert.False(waitClosed.IsDone);
            wr.WriteEof();   // the handler sees EOF, closes its side
            Assert.Empty(await rd.ReadAsync(-1));
            await waitClosed;
            wr.Close();
            Assert.Empty(reports);
        }, Options);
    }

    // wait_closed() waits for the connections, so for the handlers that hold them: here the handler keeps its
    // connection for one (virtual) second after the client's EOF.
    [Fact]
    public void WaitClosedAsync_WaitsForTheHandlerToCloseItsConnection()
    {
        RunAio(async () =>
        {
            EventLoop loop = Aio.GetRunningLoop();
            bool handlerDone = false;
            Server srv = await Aio.StartServer(async (r, w) =>
            {
                await r.ReadAsync(-1);
                await Aio.Sleep(1);
                w.Write("bye"u8);
                w.Close();
                await w.WaitClosedAsync();
                handlerDone = true;
            }, "127.0.0.1", 0);
            var (rd, wr) = await Aio.OpenConnection("127.0.0.1", PortOf(srv));
            await Until(() => srv.ActiveConnections == 1, "the server accepted the connection");
            srv.Close();
            wr.WriteEof();
            double start = loop.Time();
            await srv.WaitClosedAsync();
            Assert.True(loop.Time() - start >= 1, $"returned after {loop.Time() - start} s, before the handler closed");
            Assert.Equal("bye"u8.ToArray(), await rd.ReadAsync(-1));
            wr.Close();
            await Until(() => handlerDone, "the handler finished");
        }, Options);
    }

    // CPython: test_server.py BaseStartServer.test_start_server_1 (the client is a task on the same loop here, not a
    // thread): a server made with start_serving=False does not serve until serve_forever(); the handler cancels the
    // task running serve_forever(), which closes the server and ends with CancelledError; afterwards the server has
    // no sockets, no waiters, is not serving, and serve_forever() says it is closed.
    [Fact]
    public void ServeForeverAsync_TaskCancelledFromAHandler_ClosesTheServer_EndsWithCancelledError()
    {
        RunAio(async () =>
        {
            EventLoop loop = Aio.GetRunningLoop();
            List<LoopExceptionContext> reports = CaptureReports();
            AioTask? mainTask = null;
            Server srv = await loop.CreateServer(
                () => new StreamProtocol(loop, new AioStreamReader(), Serve), "127.0.0.1", 0, startServing: false);
            Assert.False(srv.IsServing);

            mainTask = Aio.CreateTask(srv.ServeForeverAsync());
            AioTask<byte[]> client = Aio.CreateTask(Client(PortOf(srv)));

            await ThrowsAsync<CancelledError>(async () => await mainTask);
            Assert.Equal("1"u8.ToArray(), await client);

            Assert.Empty(srv.Sockets);
            Assert.False(srv.IsServing);
            await srv.WaitClosedAsync();   // no waiters left: returns at once
            var e = await ThrowsAsync<InvalidOperationException>(async () => await srv.ServeForeverAsync());
            Assert.Contains("is closed", e.Message);
            Assert.Empty(reports);

            async Coroutine Serve(AioStreamReader reader, AioStreamWriter writer)
            {
                await reader.ReadLineAsync();
                mainTask!.Cancel();
                writer.Write("1"u8);
                writer.Close();
                await writer.WaitClosedAsync();
            }

            async Coroutine<byte[]> Client(int port)
            {
                await Until(() => srv.IsServing, "the server started serving");
                var (r, w) = await Aio.OpenConnection("127.0.0.1", port);
                w.Write(new byte[5 * 1024]);
                w.Write("\n"u8);
                byte[] got = await r.ReadAsync(-1);
                w.Close();
                await w.WaitClosedAsync();
                return got;
            }
        }, Options);
    }

    // base_events.py Server.close cancels serve_forever's future: ServeForeverAsync ends with CancelledError once the
    // server is closed and (as it then awaits wait_closed) the connections are gone.
    [Fact]
    public void ServeForeverAsync_ServerClosed_EndsWithCancelledErrorAfterTheConnectionsAreGone()
    {
        RunAio(async () =>
        {
            Server srv = await Aio.StartServer(ReadAllThenClose, "127.0.0.1", 0);
            AioTask serving = Aio.CreateTask(srv.ServeForeverAsync());
            await Yield();
            Assert.True(srv.IsServing);

            var (rd, wr) = await Aio.OpenConnection("127.0.0.1", PortOf(srv));
            await Until(() => srv.ActiveConnections == 1, "the server accepted the connection");
            srv.Close();
            await Yield(3);
            Assert.False(serving.IsDone);   // waits for the connection in wait_closed

            wr.Close();
            await ThrowsAsync<CancelledError>(async () => await serving);
            Assert.True(serving.IsCancelled);
            Assert.Equal(0, srv.ActiveConnections);
        }, Options);
    }

    // base_events.py Server.serve_forever: cancelling the task closes the server and waits in wait_closed before
    // re-raising CancelledError.
    [Fact]
    public void ServeForeverAsync_TaskCancelled_ClosesTheServer_WaitsForConnections_ThenCancelledError()
    {
        RunAio(async () =>
        {
            Server srv = await Aio.StartServer(ReadAllThenClose, "127.0.0.1", 0);
            int port = PortOf(srv);
            AioTask serving = Aio.CreateTask(srv.ServeForeverAsync());
            var (rd, wr) = await Aio.OpenConnection("127.0.0.1", port);
            await Until(() => srv.ActiveConnections == 1, "the server accepted the connection");

            serving.Cancel();
            await Yield(3);
            Assert.False(srv.IsServing);
            Assert.Empty(srv.Sockets);
            Assert.False(serving.IsDone);
            await ThrowsAnyAsync<SocketException>(async () => await Aio.OpenConnection("127.0.0.1", port));

            srv.CloseClients();
            await ThrowsAsync<CancelledError>(async () => await serving);
            Assert.Empty(await rd.ReadAsync(-1));
            wr.Close();
        }, Options);
    }

    // base_events.py Server.serve_forever: "is already being awaited on serve_forever()" / "is closed".
    [Fact]
    public void ServeForeverAsync_CalledTwice_OrAfterClose_ThrowsInvalidOperation()
    {
        RunAio(async () =>
        {
            Server srv = await Aio.StartServer(ReadAllThenClose, "127.0.0.1", 0);
            AioTask serving = Aio.CreateTask(srv.ServeForeverAsync());
            await Yield();
            var e = await ThrowsAsync<InvalidOperationException>(async () => await srv.ServeForeverAsync());
            Assert.Contains("is already being awaited on ServeForeverAsync()", e.Message);

            serving.Cancel();
            await ThrowsAsync<CancelledError>(async () => await serving);
            e = await ThrowsAsync<InvalidOperationException>(async () => await srv.ServeForeverAsync());
            Assert.EndsWith("is closed.", e.Message);
        }, Options);
    }

    // base_events.py Server.is_serving / start_serving / close.
    [Fact]
    public void IsServing_FalseUntilStartServing_FalseAfterClose_StartServingAfterCloseThrows()
    {
        RunAio(async () =>
        {
            EventLoop loop = Aio.GetRunningLoop();
            Server srv = await loop.CreateServer(
                () => new StreamProtocol(loop, new AioStreamReader(), ReadAllThenClose), "127.0.0.1", 0, startServing: false);
            Assert.False(srv.IsServing);
            Assert.Single(srv.Sockets);
            Assert.Contains("not serving", srv.ToString());

            srv.StartServing();
            srv.StartServing();   // idempotent
            Assert.True(srv.IsServing);
            Assert.Contains(" serving", srv.ToString());

            var (rd, wr) = await Aio.OpenConnection("127.0.0.1", PortOf(srv));
            await Until(() => srv.ActiveConnections == 1, "the server accepted the connection");
            Assert.Contains("clients=1", srv.ToString());

            srv.Close();
            srv.Close();   // idempotent
            Assert.False(srv.IsServing);
            Assert.Contains("closed", srv.ToString());
            var e = Assert.Throws<InvalidOperationException>(srv.StartServing);
            Assert.Contains("is closed; create a new server to accept connections again.", e.Message);

            wr.Close();
            await srv.WaitClosedAsync();
        }, Options);
    }
}

/// <summary>Every test of <see cref="ServerCloseTests"/> again, on the portable (completion-based) backend.</summary>
public sealed class ServerCloseTestsOnPortableBackend : ServerCloseTests
{
    protected override IoBackend Backend => IoBackend.Portable;
}

using Asyncio.Analyzers.CodeFixes;
using Microsoft.CodeAnalysis;
using VerifyCS = Asyncio.Analyzers.Tests.Verify<Asyncio.Analyzers.BlockingCallAnalyzer>;

namespace Asyncio.Analyzers.Tests;

// The sources below are analyzer input: they are compiled, never run (no real sleeps happen).
public class BlockingCallTests
{
    [Fact]
    public async Task ThreadSleep_InCoroutine_ReportsTheCallWithItsName()
    {
        await VerifyCS.AnalyzerAsync("""
            using System.Threading;
            using Asyncio;

            class C
            {
                async Coroutine F()
                {
                    [|Thread.Sleep(100)|];   // real-time: analyzer input, never run
                    await Aio.Sleep(1);
                }
            }
            """.Replace("[|", "{|#0:", StringComparison.Ordinal),
            VerifyCS.Diagnostic("ASY001").WithLocation(0).WithArguments("Thread.Sleep")
                .WithMessage("'Thread.Sleep' blocks the event loop's thread: no other task runs until it returns"));
    }

    [Fact]
    public async Task WaitResultAndGetResult_InAsyncMethodsAndCoroutines_AreReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Task A(Task t, Task<int> ti, ValueTask<int> vt)
                {
                    {|ASY001:t.Wait()|};
                    int a = {|ASY001:ti.Result|};
                    int b = {|ASY001:vt.Result|};
                    {|ASY001:t.GetAwaiter().GetResult()|};
                    int c = {|ASY001:ti.ConfigureAwait(false).GetAwaiter().GetResult()|};
                    {|ASY001:Task.WaitAll(t, ti)|};
                    int i = {|ASY001:Task.WaitAny(t, ti)|};
                    bool done = {|ASY001:t.Wait(1000)|};
                    await Task.Yield();
                }

                async Coroutine<int> B(Task<int> ti, ValueTask v)
                {
                    {|ASY001:v.GetAwaiter().GetResult()|};
                    await Aio.Sleep(0);
                    return {|ASY001:ti.Result|};
                }
            }
            """);
    }

    [Fact]
    public async Task SynchronousIo_InCoroutine_IsReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System.Diagnostics;
            using System.IO;
            using System.Net;
            using System.Net.Sockets;
            using System.Threading;
            using Asyncio;

            class C
            {
                async Coroutine F(string path, FileStream fs, Socket socket, Process process, SemaphoreSlim sem, byte[] buffer)
                {
                    string text = {|ASY001:File.ReadAllText(path)|};
                    {|ASY001:File.WriteAllText(path, text)|};
                    byte[] bytes = {|ASY001:File.ReadAllBytes(path)|};
                    int n = {|ASY001:fs.Read(buffer, 0, buffer.Length)|};
                    {|ASY001:fs.Write(buffer, 0, n)|};
                    using var reader = new StreamReader(path);
                    string all = {|ASY001:reader.ReadToEnd()|};
                    string? line = {|ASY001:new StreamReader(fs).ReadLine()|};
                    using var writer = File.CreateText(path);
                    {|ASY001:writer.WriteLine(all)|};
                    n = {|ASY001:socket.Receive(buffer)|};
                    {|ASY001:socket.Send(buffer)|};
                    Socket client = {|ASY001:socket.Accept()|};
                    {|ASY001:socket.Connect("localhost", 80)|};
                    IPAddress[] addresses = {|ASY001:Dns.GetHostAddresses("localhost")|};
                    {|ASY001:process.WaitForExit()|};
                    {|ASY001:sem.Wait()|};
                    await Aio.Sleep(0);
                }
            }
            """);
    }

    [Fact]
    public async Task WaitsOnPrimitives_AreReported_ButZeroTimeoutPollsAreNot()
    {
        await VerifyCS.AnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Net;
            using System.Net.Sockets;
            using System.Threading;
            using Asyncio;

            class C
            {
                async Coroutine F(WaitHandle handle, ManualResetEventSlim mre, CountdownEvent countdown, Thread thread, TcpListener listener, string path)
                {
                    {|ASY001:handle.WaitOne()|};
                    {|ASY001:mre.Wait()|};
                    {|ASY001:countdown.Wait(TimeSpan.FromSeconds(1))|};
                    {|ASY001:thread.Join()|};
                    TcpClient client = {|ASY001:listener.AcceptTcpClient()|};
                    IPHostEntry entry = {|ASY001:Dns.GetHostEntry("localhost")|};
                    IEnumerable<string> lines = {|ASY001:File.ReadLines(path)|};
                    bool signalled = handle.WaitOne(0) | handle.WaitOne(TimeSpan.Zero) | mre.Wait(0) | thread.Join(0);
                    await Aio.Sleep(0);
                }
            }
            """);
    }

    [Fact]
    public async Task BlockingCall_InNonAsyncCoroutineMethodAndAsyncLambda_IsReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                Coroutine F()
                {
                    {|ASY001:Thread.Sleep(5)|};   // real-time: analyzer input, never run
                    return G();
                }

                async Coroutine G() => await Aio.Sleep(0);

                void H()
                {
                    Func<Task> f = async () =>
                    {
                        {|ASY001:Thread.Sleep(5)|};   // real-time: analyzer input, never run
                        await Task.Yield();
                    };
                    async Coroutine Local()
                    {
                        {|ASY001:Thread.Sleep(5)|};   // real-time: analyzer input, never run
                        await Aio.Sleep(0);
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task NonBlockingLookalikes_AreNotReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                private readonly object _gate = new();

                async Coroutine<int> F(AioTask<int> task, Future<int> future, SemaphoreSlim sem, Stream stream, byte[] buffer)
                {
                    lock (_gate) { }
                    Monitor.Enter(_gate);
                    Monitor.Exit(_gate);
                    int a = task.Result;                 // AioTask<T>.Result never waits
                    int b = future.Result;               // nor does Future<T>.Result
                    bool got = sem.Wait(0);              // a poll, not a wait
                    int n = stream.Read(buffer, 0, 1);   // an unknown stream may be in memory
                    var reader = new StreamReader(new MemoryStream(buffer));
                    string s = reader.ReadToEnd();
                    string name = nameof(Thread.Sleep);
                    await Aio.Sleep(0);
                    return a + b + n;
                }

                void Sync(Task t, Task<int> ti)
                {
                    Thread.Sleep(10);                    // real-time: analyzer input, never run; not a coroutine: blocking is this method's business
                    t.Wait();
                    int r = ti.Result;
                }

                async Coroutine<string> OnThread(string path)
                {
                    // The lambda runs on a pool thread, not in the coroutine.
                    return await Aio.ToThread(() => File.ReadAllText(path));
                }
            }
            """);
    }

    [Fact]
    public async Task Result_OfATaskAlreadyAwaitedOrChecked_IsNotReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Coroutine<int> F(Task<int> a, Task<int> b, Task<int> c, Task<int> d)
                {
                    await a;
                    int x = a.Result;
                    await Task.WhenAll(b, c);
                    x += b.Result + c.GetAwaiter().GetResult();
                    if (d.IsCompleted)
                    {
                        x += d.Result;
                    }

                    var all = new[] { Task.FromResult(1), Task.FromResult(2) };
                    await Task.WhenAll(all);
                    foreach (var t in all)
                    {
                        x += t.Result;
                    }

                    return x;
                }
            }
            """);
    }

    [Fact]
    public async Task TopLevelStatements_AreNotACoroutineContext()
    {
        var test = new Microsoft.CodeAnalysis.CSharp.Testing.CSharpAnalyzerTest<BlockingCallAnalyzer, Microsoft.CodeAnalysis.Testing.DefaultVerifier>
        {
            TestCode = """
                using System.IO;
                using System.Threading.Tasks;

                string config = File.ReadAllText("app.json");
                await Task.Yield();
                """,
            ReferenceAssemblies = TestReferences.None,
        };
        test.TestState.OutputKind = OutputKind.ConsoleApplication;
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        await test.RunAsync();
    }

    [Fact]
    public async Task CodeFix_ThreadSleepWithConstant_BecomesAioSleepInSeconds()
    {
        await VerifyCS.CodeFixAsync<BlockingCallCodeFixProvider>("""
            using System.Threading;
            using Asyncio;

            class C
            {
                async Coroutine F()
                {
                    {|ASY001:Thread.Sleep(250)|};   // real-time: analyzer input, never run
                    {|ASY001:Thread.Sleep(2000)|};   // real-time: analyzer input, never run
                }
            }
            """, """
            using System.Threading;
            using Asyncio;

            class C
            {
                async Coroutine F()
                {
                    await Aio.Sleep(0.25);   // real-time: analyzer input, never run
                    await Aio.Sleep(2);   // real-time: analyzer input, never run
                }
            }
            """);
    }

    [Fact]
    public async Task CodeFix_ThreadSleepWithVariableOrTimeSpan_KeepsTheUnit()
    {
        await VerifyCS.CodeFixAsync<BlockingCallCodeFixProvider>("""
            using System;
            using System.Threading;
            using Asyncio;

            class C
            {
                async Coroutine F(int ms)
                {
                    {|ASY001:Thread.Sleep(ms)|};   // real-time: analyzer input, never run
                    {|ASY001:Thread.Sleep(TimeSpan.FromSeconds(3))|};   // real-time: analyzer input, never run
                }
            }
            """, """
            using System;
            using System.Threading;
            using Asyncio;

            class C
            {
                async Coroutine F(int ms)
                {
                    await Aio.Sleep(TimeSpan.FromMilliseconds(ms));   // real-time: analyzer input, never run
                    await Aio.Sleep(TimeSpan.FromSeconds(3));   // real-time: analyzer input, never run
                }
            }
            """);
    }

    [Fact]
    public async Task CodeFix_WaitResultGetResult_BecomeAwait()
    {
        await VerifyCS.CodeFixAsync<BlockingCallCodeFixProvider>("""
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Coroutine<string> F(Task t, Task<int> a, Task<int> b, Task<int> c)
                {
                    {|ASY001:t.Wait()|};
                    int x = {|ASY001:a.Result|} + 1;
                    string s = {|ASY001:b.Result|}.ToString();
                    int y = {|ASY001:c.GetAwaiter().GetResult()|};
                    return s + x + y;
                }
            }
            """, """
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Coroutine<string> F(Task t, Task<int> a, Task<int> b, Task<int> c)
                {
                    await t;
                    int x = await a + 1;
                    string s = (await b).ToString();
                    int y = await c;
                    return s + x + y;
                }
            }
            """);
    }

    [Fact]
    public async Task CodeFix_OtherBlockingCalls_MoveToAioToThread()
    {
        await VerifyCS.CodeFixAsync<BlockingCallCodeFixProvider>("""
            using System.IO;
            using Asyncio;

            class C
            {
                async Coroutine<int> F(string path)
                {
                    string text = {|ASY001:File.ReadAllText(path)|};
                    {|ASY001:File.WriteAllText(path + ".bak", text)|};
                    return {|ASY001:File.ReadAllBytes(path)|}.Length;
                }
            }
            """, """
            using System.IO;
            using Asyncio;

            class C
            {
                async Coroutine<int> F(string path)
                {
                    string text = await Aio.ToThread(() => File.ReadAllText(path));
                    await Aio.ToThread(() => File.WriteAllText(path + ".bak", text));
                    return (await Aio.ToThread(() => File.ReadAllBytes(path))).Length;
                }
            }
            """);
    }

    [Fact]
    public async Task CodeFix_WithoutUsingAsyncio_AddsTheUsing()
    {
        await VerifyCS.CodeFixAsync<BlockingCallCodeFixProvider>("""
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                async Task F()
                {
                    {|ASY001:Thread.Sleep(1000)|};   // real-time: analyzer input, never run
                }
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Task F()
                {
                    await Aio.Sleep(1);   // real-time: analyzer input, never run
                }
            }
            """);
    }

    [Fact]
    public async Task CodeFix_WhereAwaitIsNotAllowed_IsNotOffered()
    {
        const string source = """
            using System.Threading;
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                private readonly object _gate = new();

                Coroutine F()
                {
                    {|ASY001:Thread.Sleep(10)|};   // real-time: analyzer input, never run; not async: await cannot be added here
                    return default;
                }

                async Coroutine G(Task<int> t)
                {
                    lock (_gate)
                    {
                        int r = {|ASY001:t.Result|};
                    }

                    await Aio.Sleep(0);
                }
            }
            """;
        await VerifyCS.CodeFixAsync<BlockingCallCodeFixProvider>(source, source);
    }
}

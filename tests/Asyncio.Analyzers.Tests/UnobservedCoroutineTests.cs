using Asyncio.Analyzers.CodeFixes;
using Microsoft.CodeAnalysis;
using VerifyCS = Asyncio.Analyzers.Tests.Verify<Asyncio.Analyzers.UnobservedCoroutineAnalyzer>;

namespace Asyncio.Analyzers.Tests;

public class UnobservedCoroutineTests
{
    [Fact]
    public async Task CoroutineCallStatement_InSyncMethod_IsReportedWithMessage()
    {
        await VerifyCS.AnalyzerAsync("""
            using Asyncio;

            class C
            {
                static async Coroutine Work() => await Aio.Sleep(1);

                void Start()
                {
                    {|#0:Work()|};
                }
            }
            """,
            VerifyCS.Diagnostic("ASY002").WithLocation(0).WithSeverity(DiagnosticSeverity.Warning)
                .WithMessage("'C.Work' returns a coroutine that is neither awaited nor stored: a coroutine that is not awaited never runs; await it, or start it with Aio.CreateTask and keep the task"));
    }

    [Fact]
    public async Task DiscardedCoroutine_AnywhereEvenInAsyncCode_IsReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                static async Coroutine Work() => await Aio.Sleep(1);
                static async Coroutine<int> Compute() { await Aio.Sleep(1); return 1; }

                async Coroutine A()
                {
                    _ = {|ASY002:Work()|};
                    _ = {|ASY002:Compute()|};
                    await Aio.Sleep(0);
                }

                async Task B()
                {
                    _ = {|ASY002:Work()|};
                    await Task.Yield();
                }

                void D()
                {
                    _ = {|ASY002:Compute()|};
                }
            }
            """);
    }

    [Fact]
    public async Task CoroutineFromExpressionBodiedSyncLambdaOrLocalFunction_IsReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System;
            using Asyncio;

            class C
            {
                static async Coroutine Work() => await Aio.Sleep(1);

                void Schedule(EventLoop loop)
                {
                    loop.CallSoon(() => {|ASY002:Work()|});
                    Action later = () => { {|ASY002:Work()|}; };
                    void Local() => {|ASY002:Work()|};
                    Local();
                }

                Coroutine NotAsync()
                {
                    {|ASY002:Work()|};
                    return Work();
                }
            }
            """);
    }

    [Fact]
    public async Task DiscardedLazyAwaitable_IsReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using Asyncio;

            class C
            {
                void Put(AsyncQueue<int> queue)
                {
                    _ = {|#0:queue.PutAsync(1)|};
                }
            }
            """,
            VerifyCS.Diagnostic("ASY002").WithLocation(0).WithArguments("AsyncQueue.PutAsync", "lazy awaitable", "a coroutine that is not awaited never runs; await it, or start it with Aio.CreateTask and keep the task"));
    }

    [Fact]
    public async Task CreateTaskResultDropped_InSyncCode_IsInfo()
    {
        await VerifyCS.AnalyzerAsync("""
            using Asyncio;

            class C
            {
                static async Coroutine Work() => await Aio.Sleep(1);

                void Start(EventLoop loop)
                {
                    {|#0:Aio.CreateTask(Work())|};
                    _ = {|#1:loop.CreateTask(Work())|};
                }
            }
            """,
            VerifyCS.Diagnostic("ASY002").WithLocation(0).WithSeverity(DiagnosticSeverity.Info)
                .WithMessage("'Aio.CreateTask' returns a task that is neither awaited nor stored: it runs, but nothing awaits it, so its result and exception are lost; keep the task and await it, or use a TaskGroup"),
            VerifyCS.Diagnostic("ASY002").WithLocation(1).WithSeverity(DiagnosticSeverity.Info)
                .WithArguments("EventLoop.CreateTask", "task", "it runs, but nothing awaits it, so its result and exception are lost; keep the task and await it, or use a TaskGroup"));
    }

    [Fact]
    public async Task AwaitedStoredReturnedOrCompilerReported_IsNotReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                static async Coroutine Work() => await Aio.Sleep(1);
                private readonly List<AioTask> _tasks = new();

                async Coroutine A(TaskGroup group)
                {
                    await Work();
                    Coroutine stored = Work();
                    AioTask task = Aio.CreateTask(Work());
                    _tasks.Add(Aio.CreateTask(Work()));
                    _ = Aio.CreateTask(Work());     // deliberate fire-and-forget in async code: the task runs
                    Work();                         // CS4014 already reports this one
                    group.CreateTask(Work());       // the group owns it
                    await stored;
                    await task;
                }

                Coroutine B() => Work();

                void D(TaskGroup group)
                {
                    var c = Work();
                    group.CreateTask(Work());
                    _ = Task.Delay(1);   // real-time: analyzer input, never run
                }
            }
            """);
    }

    [Fact]
    public async Task CodeFix_DiscardInAsyncMethod_BecomesAwait()
    {
        await VerifyCS.CodeFixAsync<UnobservedCoroutineCodeFixProvider>("""
            using Asyncio;

            class C
            {
                static async Coroutine Work() => await Aio.Sleep(1);

                async Coroutine A()
                {
                    _ = {|ASY002:Work()|};
                }
            }
            """, """
            using Asyncio;

            class C
            {
                static async Coroutine Work() => await Aio.Sleep(1);

                async Coroutine A()
                {
                    await Work();
                }
            }
            """);
    }

    [Fact]
    public async Task CodeFix_InSyncMethod_IsNotOffered()
    {
        const string source = """
            using Asyncio;

            class C
            {
                static async Coroutine Work() => await Aio.Sleep(1);

                void A()
                {
                    _ = {|ASY002:Work()|};
                    {|ASY002:Work()|};
                }
            }
            """;
        await VerifyCS.CodeFixAsync<UnobservedCoroutineCodeFixProvider>(source, source);
    }
}

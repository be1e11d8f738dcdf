using Asyncio.Analyzers.CodeFixes;
using VerifyCS = Asyncio.Analyzers.Tests.Verify<Asyncio.Analyzers.TaskDelayAnalyzer>;

namespace Asyncio.Analyzers.Tests;

// The sources below are analyzer input: compiled, never run.
public class TaskDelayTests
{
    [Fact]
    public async Task TaskDelay_InCoroutineOrLoopLambda_IsReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Coroutine F(CancellationToken token)
                {
                    await {|#0:Task.Delay(100)|};   // real-time: analyzer input, compiled but never run
                    await {|ASY006:Task.Delay(TimeSpan.FromSeconds(1))|};   // real-time: analyzer input, compiled but never run
                    await {|#1:Task.Delay(100, token)|};   // real-time: analyzer input, compiled but never run
                    Task pending = {|ASY006:Task.Delay(5)|};   // real-time: analyzer input, compiled but never run
                    await pending;
                }

                void Main() => Aio.Run(async Task () =>
                {
                    await {|ASY006:Task.Delay(10)|};   // real-time: analyzer input, compiled but never run
                });
            }
            """,
            VerifyCS.Diagnostic("ASY006").WithLocation(0)
                .WithMessage("'Task.Delay' waits on the system clock and cannot be cancelled with the task; use 'Aio.Sleep', which follows the loop's clock"),
            VerifyCS.Diagnostic("ASY006").WithLocation(1)
                .WithMessage("'Task.Delay' waits on the system clock, not the loop's (possibly virtual) one; use 'Aio.Sleep', which follows the loop's clock"));
    }

    [Fact]
    public async Task TaskDelay_WithTimeProviderOrOutsideTheLoop_IsNotReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Coroutine F(TimeProvider clock, CancellationToken token)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), clock);   // real-time: analyzer input, compiled but never run
                    await Task.Delay(TimeSpan.FromSeconds(1), Aio.GetRunningLoop().Clock, token);
                    Thread.Sleep(1);   // real-time: analyzer input, never run; ASY001's, not reported twice
                }

                async Task G() => await Task.Delay(100);   // a plain async method may run anywhere   // real-time: analyzer input, compiled but never run
            }
            """);
    }

    [Fact]
    public async Task CodeFix_AwaitedDelay_BecomesAioSleep()
    {
        await VerifyCS.CodeFixAsync<TaskDelayCodeFixProvider>("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Coroutine F(int ms, TimeSpan span)
                {
                    await {|ASY006:Task.Delay(250)|};   // real-time: analyzer input, compiled but never run
                    await {|ASY006:Task.Delay(ms)|};   // real-time: analyzer input, compiled but never run
                    await {|ASY006:Task.Delay(span)|};   // real-time: analyzer input, compiled but never run
                    await {|ASY006:Task.Delay(100, CancellationToken.None)|};   // real-time: analyzer input, compiled but never run
                }
            }
            """, """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Coroutine F(int ms, TimeSpan span)
                {
                    await Aio.Sleep(0.25);   // real-time: analyzer input, compiled but never run
                    await Aio.Sleep(TimeSpan.FromMilliseconds(ms));   // real-time: analyzer input, compiled but never run
                    await Aio.Sleep(span);   // real-time: analyzer input, compiled but never run
                    await Aio.Sleep(0.1);   // real-time: analyzer input, compiled but never run
                }
            }
            """);
    }

    [Fact]
    public async Task CodeFix_DelayWithTokenOrNotAwaited_IsNotOffered()
    {
        const string source = """
            using System.Threading;
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Coroutine F(CancellationToken token)
                {
                    await {|ASY006:Task.Delay(100, token)|};   // real-time: analyzer input, compiled but never run
                    Task t = {|ASY006:Task.Delay(100)|};   // real-time: analyzer input, compiled but never run
                    await t;
                }
            }
            """;
        await VerifyCS.CodeFixAsync<TaskDelayCodeFixProvider>(source, source);
    }
}

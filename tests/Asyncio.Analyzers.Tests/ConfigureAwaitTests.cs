using Asyncio.Analyzers.CodeFixes;
using VerifyCS = Asyncio.Analyzers.Tests.Verify<Asyncio.Analyzers.ConfigureAwaitAnalyzer>;

namespace Asyncio.Analyzers.Tests;

public class ConfigureAwaitTests
{
    [Fact]
    public async Task ConfigureAwaitFalse_InCoroutine_IsReportedAsPointless()
    {
        await VerifyCS.AnalyzerAsync("""
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Coroutine<int> F(Task t, Task<int> ti, ValueTask v)
                {
                    await t.{|#0:ConfigureAwait(false)|};
                    await v.{|ASY004:ConfigureAwait(false)|};
                    await t.{|ASY004:ConfigureAwait(ConfigureAwaitOptions.None)|};
                    await foreach (int x in Items().{|ASY004:ConfigureAwait(false)|}) { }
                    await using (var d = new D().{|ASY004:ConfigureAwait(false)|}) { }
                    return await ti.{|ASY004:ConfigureAwait(continueOnCapturedContext: false)|};
                }

                static async IAsyncEnumerable<int> Items() { await Task.Yield(); yield return 1; }
            }

            class D : IAsyncDisposable
            {
                public ValueTask DisposeAsync() => default;
            }
            """,
            VerifyCS.Diagnostic("ASY004").WithLocation(0)
                .WithMessage("'ConfigureAwait(false)' does nothing in a coroutine: the loop runs every step of a coroutine on its own thread; remove it"));
    }

    [Fact]
    public async Task ConfigureAwaitFalse_InAsyncTaskLambdaTheLoopRuns_IsReportedAsLeavingTheLoop()
    {
        await VerifyCS.AnalyzerAsync("""
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                // An explicit 'async Task' lambda: the loop runs it, but with Task's builder.
                int Main(Task<int> work) => Aio.Run(async Task<int> () =>
                {
                    return await work.{|#0:ConfigureAwait(false)|};
                });

                // Without a return type, Aio.Run binds the lambda as a coroutine: the pointless case.
                int AsCoroutine(Task<int> work) => Aio.Run(async () => await work.{|#1:ConfigureAwait(false)|});
            }
            """,
            VerifyCS.Diagnostic("ASY004").WithLocation(0)
                .WithMessage("'ConfigureAwait(false)' moves the rest of this lambda off the loop thread, although the loop runs it; remove it"),
            VerifyCS.Diagnostic("ASY004").WithLocation(1)
                .WithMessage("'ConfigureAwait(false)' does nothing in a coroutine: the loop runs every step of a coroutine on its own thread; remove it"));
    }

    [Fact]
    public async Task ConfigureAwait_OutsideTheLoopOrKeepingTheContext_IsNotReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Task Library(Task t)
                {
                    await t.ConfigureAwait(false);         // a plain async method: may run anywhere
                }

                async Coroutine F(Task t)
                {
                    await t.ConfigureAwait(true);
                    await t.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    Func<Task> elsewhere = async () => await t.ConfigureAwait(false);   // not handed to the loop
                    await elsewhere();
                }
            }
            """);
    }

    [Fact]
    public async Task CodeFix_RemovesConfigureAwait()
    {
        await VerifyCS.CodeFixAsync<ConfigureAwaitCodeFixProvider>("""
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Coroutine<int> F(Task t, Task<int> ti)
                {
                    await t.{|ASY004:ConfigureAwait(false)|};
                    return await ti.{|ASY004:ConfigureAwait(false)|} + 1;
                }
            }
            """, """
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Coroutine<int> F(Task t, Task<int> ti)
                {
                    await t;
                    return await ti + 1;
                }
            }
            """);
    }
}

using Asyncio.Analyzers.CodeFixes;
using VerifyCS = Asyncio.Analyzers.Tests.Verify<Asyncio.Analyzers.SwallowedCancellationAnalyzer>;

namespace Asyncio.Analyzers.Tests;

public class SwallowedCancellationTests
{
    [Fact]
    public async Task CatchOfCancellation_WithoutRethrow_IsReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System;
            using Asyncio;

            class C
            {
                async Coroutine A()
                {
                    try { await Aio.Sleep(1); }
                    {|#0:catch (OperationCanceledException)|} { }
                }

                async Coroutine<int> B()
                {
                    try { await Aio.Sleep(1); return 1; }
                    {|#1:catch (CancelledError e)|} { Console.WriteLine(e.Message); return 0; }
                }
            }
            """,
            VerifyCS.Diagnostic("ASY003").WithLocation(0)
                .WithMessage("'catch (OperationCanceledException)' swallows the task's cancellation: the task keeps running after it was cancelled; end the catch with 'throw;' (or call Uncancel() if stopping the cancellation is the point)"),
            VerifyCS.Diagnostic("ASY003").WithLocation(1).WithArguments("catch (CancelledError)", "the task keeps running after it was cancelled; end the catch with 'throw;' (or call Uncancel() if stopping the cancellation is the point)"));
    }

    [Fact]
    public async Task GeneralCatch_InCoroutineOrAsyncMethod_IsReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System;
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                static bool Log(Exception e) => true;

                async Coroutine A()
                {
                    try { await Aio.Sleep(1); }
                    {|#0:catch (Exception e)|} { Console.WriteLine(e); }
                }

                async Task B()
                {
                    try { await Task.Delay(1); }   // real-time: analyzer input, never run
                    {|ASY003:catch|} { }
                }

                async Coroutine D()
                {
                    try { await Aio.Sleep(1); }
                    {|ASY003:catch (SystemException)|} { }
                }

                async Coroutine E()
                {
                    try { await foreach (var x in Items()) { } }
                    {|ASY003:catch (Exception e)|} when (Log(e)) { }
                }

                static async System.Collections.Generic.IAsyncEnumerable<int> Items() { await Task.Yield(); yield return 1; }
            }
            """,
            VerifyCS.Diagnostic("ASY003").WithLocation(0)
                .WithMessage("'catch (Exception)' swallows the task's cancellation: it also catches CancelledError and does not rethrow it; put 'catch (CancelledError) { throw; }' before it, or add 'when (e is not OperationCanceledException)'"));
    }

    [Fact]
    public async Task CatchesThatRethrowOrLetCancellationThrough_AreNotReported()
    {
        await VerifyCS.AnalyzerAsync("""
            using System;
            using System.IO;
            using System.Threading;
            using Asyncio;

            class C
            {
                async Coroutine A(CancellationToken token)
                {
                    try { await Aio.Sleep(1); }
                    catch (OperationCanceledException) { Console.WriteLine("stopping"); throw; }

                    try { await Aio.Sleep(1); }
                    catch (Exception e) { throw new InvalidOperationException("wrapped", e); }

                    try { await Aio.Sleep(1); }
                    catch (CancelledError) { throw; }
                    catch (Exception) { }

                    try { await Aio.Sleep(1); }
                    catch (Exception e) when (e is not OperationCanceledException) { }

                    try { await Aio.Sleep(1); }
                    catch (Exception e) when (e is IOException) { }

                    try { await Aio.Sleep(1); }
                    catch (OperationCanceledException) when (token.IsCancellationRequested) { }

                    try { await Aio.Sleep(1); }
                    catch (IOException) { }
                    catch (TimeoutException) { }

                    try { await Aio.Sleep(1); }
                    catch (CancelledError) { Aio.CurrentTask!.Uncancel(); }

                    try { int.Parse("1"); }            // no await: cancellation cannot arrive here
                    catch (Exception) { }
                }

                void Sync()
                {
                    try { Thread.Sleep(1); }   // real-time: analyzer input, never run
                    catch (Exception) { }
                }
            }
            """);
    }

    [Fact]
    public async Task AwaitingATaskItCancelled_IsTheIdiomNotASwallow()
    {
        await VerifyCS.AnalyzerAsync("""
            using System;
            using Asyncio;

            class C
            {
                static async Coroutine Work() => await Aio.Sleep(5);

                async Coroutine Main()
                {
                    AioTask task = Aio.CreateTask(Work());
                    await Aio.Sleep(1);
                    task.Cancel();
                    try
                    {
                        await task;
                    }
                    catch (CancelledError)
                    {
                        Console.WriteLine("the task was cancelled");
                    }
                }

                async Coroutine NotCancelledHere(AioTask other)
                {
                    try
                    {
                        await other;               // nothing cancelled it here: the error may be ours
                    }
                    {|ASY003:catch (CancelledError)|}
                    {
                    }
                }

                async Coroutine AlsoAwaitsSomethingElse()
                {
                    AioTask task = Aio.CreateTask(Work());
                    task.Cancel();
                    try
                    {
                        await task;
                        await Aio.Sleep(1);        // our own cancellation can land here
                    }
                    {|ASY003:catch (CancelledError)|}
                    {
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task CodeFix_GeneralCatch_InsertsRethrowingCancelledErrorCatch()
    {
        await VerifyCS.CodeFixAsync<SwallowedCancellationCodeFixProvider>("""
            using System;
            using Asyncio;

            class C
            {
                async Coroutine A()
                {
                    try
                    {
                        await Aio.Sleep(1);
                    }
                    {|ASY003:catch (Exception e)|}
                    {
                        Console.WriteLine(e);
                    }
                }
            }
            """, """
            using System;
            using Asyncio;

            class C
            {
                async Coroutine A()
                {
                    try
                    {
                        await Aio.Sleep(1);
                    }
                    catch (CancelledError)
                    {
                        throw;
                    }
                    catch (Exception e)
                    {
                        Console.WriteLine(e);
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task CodeFix_WithoutUsingAsyncio_AddsTheUsing()
    {
        await VerifyCS.CodeFixAsync<SwallowedCancellationCodeFixProvider>("""
            using System.Threading.Tasks;

            class C
            {
                async Task A()
                {
                    try
                    {
                        await Task.Yield();
                    }
                    {|ASY003:catch|}
                    {
                    }
                }
            }
            """, """
            using System.Threading.Tasks;
            using Asyncio;

            class C
            {
                async Task A()
                {
                    try
                    {
                        await Task.Yield();
                    }
                    catch (CancelledError)
                    {
                        throw;
                    }
                    catch
                    {
                    }
                }
            }
            """);
    }

    [Fact]
    public async Task CodeFix_SpecificCatch_IsNotOffered()
    {
        const string source = """
            using System;
            using Asyncio;

            class C
            {
                async Coroutine A()
                {
                    try { await Aio.Sleep(1); }
                    {|ASY003:catch (OperationCanceledException)|} { }
                }
            }
            """;
        await VerifyCS.CodeFixAsync<SwallowedCancellationCodeFixProvider>(source, source);
    }
}

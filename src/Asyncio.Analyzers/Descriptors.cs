using Microsoft.CodeAnalysis;

namespace Asyncio.Analyzers;

/// <summary>The rules, one descriptor each. Every help link is the rule's page under docs/analyzers.</summary>
internal static class Descriptors
{
    /// <summary>Where the rule pages live, relative to the repository root; a rule's page is <c>{id}.md</c> in it.</summary>
    public const string HelpLinkBase = "docs/analyzers/";

    private const string Category = "Asyncio";

    public const string BlockingCallId = "ASY001";
    public const string UnobservedCoroutineId = "ASY002";
    public const string SwallowedCancellationId = "ASY003";
    public const string ConfigureAwaitId = "ASY004";
    public const string AsyncVoidId = "ASY005";
    public const string TaskDelayId = "ASY006";
    public const string UnboundedGatherId = "ASY007";

    public static readonly DiagnosticDescriptor BlockingCall = new(
        BlockingCallId,
        title: "Blocking call in a coroutine or async method",
        messageFormat: "'{0}' blocks the event loop's thread: no other task runs until it returns",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A coroutine runs on the loop's only thread. A call that waits (a sleep, a synchronous wait on a task, synchronous file or socket I/O) stops every other task, timer and I/O callback for as long as it waits. Await the asynchronous form, or move the call to the thread pool with 'await Aio.ToThread(() => ...)'.",
        helpLinkUri: HelpLinkBase + BlockingCallId + ".md");

    public static readonly DiagnosticDescriptor UnobservedCoroutine = new(
        UnobservedCoroutineId,
        title: "Coroutine or task is neither awaited nor stored",
        messageFormat: "'{0}' returns a {1} that is neither awaited nor stored: {2}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Coroutines are cold: a coroutine that is dropped without being awaited or passed to Aio.CreateTask never runs. A task made by Aio.CreateTask does run, but when nothing keeps it, its result and exception have nowhere to go. The compiler's CS4014 already reports unawaited calls in async methods; this rule covers the places it does not look: discards ('_ = F();'), synchronous methods and lambdas.",
        helpLinkUri: HelpLinkBase + UnobservedCoroutineId + ".md");

    public static readonly DiagnosticDescriptor SwallowedCancellation = new(
        SwallowedCancellationId,
        title: "Catch swallows the task's cancellation",
        messageFormat: "'{0}' swallows the task's cancellation: {1}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Task.Cancel, Aio.Timeout, Aio.WaitFor and TaskGroup stop a task by throwing CancelledError (an OperationCanceledException) at its current await. A catch that handles it and carries on keeps the task running after it was told to stop: timeouts do not fire, task groups do not finish, and shutdown hangs. C# has no BaseException, so 'catch (Exception)' catches CancelledError too.",
        helpLinkUri: HelpLinkBase + SwallowedCancellationId + ".md");

    public static readonly DiagnosticDescriptor ConfigureAwait = new(
        ConfigureAwaitId,
        title: "ConfigureAwait(false) in a coroutine",
        messageFormat: "'{0}' {1}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A coroutine's every step runs on the loop thread: whatever it awaits, the loop brings the next step back to its own thread. ConfigureAwait(false) cannot change that, so in a coroutine it is noise that suggests the code runs elsewhere. In an 'async Task' lambda that the loop runs (Aio.Run, Aio.CreateTask), it is worse: the rest of the lambda leaves the loop thread.",
        helpLinkUri: HelpLinkBase + ConfigureAwaitId + ".md");

    public static readonly DiagnosticDescriptor AsyncVoid = new(
        AsyncVoidId,
        title: "Async void method",
        messageFormat: "{0} is async void: no caller can await it, cancel it or see its exception; return Coroutine or Task",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An async void method starts running and returns to its caller at the first await; the caller gets nothing to await, so it cannot wait for the work, cancel it, or receive its exception (which goes to the synchronization context instead). Event handlers of the (object sender, EventArgs e) shape are the exception: their signature is fixed.",
        helpLinkUri: HelpLinkBase + AsyncVoidId + ".md");

    public static readonly DiagnosticDescriptor TaskDelay = new(
        TaskDelayId,
        title: "Task.Delay in a coroutine",
        messageFormat: "'Task.Delay' {0}; use 'Aio.Sleep', which follows the loop's clock",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Aio.Sleep waits on the loop's clock, which may be virtual (VirtualClock jumps to the next timer when every task waits). Task.Delay waits on the system timer: under a virtual clock it holds time back and a test waits for real, and Task.Cancel cannot interrupt it (a foreign await), so a cancelled task sits out the whole delay. Task.Delay(delay, timeProvider) is not reported.",
        helpLinkUri: HelpLinkBase + TaskDelayId + ".md");

    public static readonly DiagnosticDescriptor UnboundedGather = new(
        UnboundedGatherId,
        title: "Unbounded fan-out with Aio.Gather",
        messageFormat: "Aio.Gather runs one task per element of a sequence of unknown size, all at once; bound the concurrency with an AsyncSemaphore acquired in the selector",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Aio.Gather over 'items.Select(x => Work(x))' starts every coroutine at once. With ten items that is fine; with a hundred thousand it opens as many connections, files or requests at the same moment. Acquire an AsyncSemaphore (or AsyncBoundedSemaphore) inside the selector to cap how many run together.",
        helpLinkUri: HelpLinkBase + UnboundedGatherId + ".md");
}

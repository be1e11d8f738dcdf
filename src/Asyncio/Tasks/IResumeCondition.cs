namespace Asyncio;

/// <summary>
/// The owner of a <see cref="WaitQueue"/> woken with <see cref="WaitQueue.WakeOneChecked"/>: says, right before the
/// woken waiter would resume, whether what it waited for is still there. Loop thread only.
/// </summary>
internal interface IResumeCondition
{
    /// <summary>True if the longest-waiting waiter may resume now; false keeps it parked.</summary>
    bool CanResume { get; }
}

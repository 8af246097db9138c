/// Where a job is in its life: `waiting` to be claimed, `delayed` until its
/// delay or retry backoff is over, `active` in a consumer's hands, `completed`,
/// or `dead` after its last failed attempt.
public enum JobState: String, Sendable {
    case waiting, delayed, active, completed, dead
}

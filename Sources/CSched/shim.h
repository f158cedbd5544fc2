// sched_setattr(2), which glibc does not wrap (and Swift cannot call the variadic syscall(2)).
#if defined(__linux__)
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/// Sets the calling thread's nice value and, since Linux 6.12, its fair-class slice (clamped by
/// the kernel to 0.1–100 ms; an older kernel ignores it and sets the nice value alone). Answers 0,
/// or -1 with errno set (a sandbox that refuses the call: the caller then uses setpriority).
static inline int cachetrail_set_fair_slice(int32_t nice, uint64_t slice_nanoseconds) {
    struct {
        uint32_t size;
        uint32_t policy;
        uint64_t flags;
        int32_t nice;
        uint32_t priority;
        uint64_t runtime;
        uint64_t deadline;
        uint64_t period;
    } attributes = {0};
    attributes.size = sizeof(attributes);
    attributes.policy = 0; // SCHED_OTHER
    attributes.nice = nice;
    attributes.runtime = slice_nanoseconds;
    return (int)syscall(SYS_sched_setattr, 0, &attributes, 0);
}
#endif

//! Operations of the concurrency library (spec: concurrency.md sections
//! 3 and 6): `Channel<T>`, `Atomic<T>` and the synchronisation objects.
//! Each is a `Builtin::Lib(op)`: arguments in the parameter order of its
//! signature (`check/sync_lib.rs`), the receiver first for methods, an
//! omitted optional argument as `None`.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LibOp {
    /// `Channel.init(capacity = n)` (optional, default 0).
    ChanNew,
    /// `Channel.unbounded()`.
    ChanUnbounded,
    ChanSend,
    ChanTrySend,
    ChanRecv,
    ChanTryRecv,
    ChanRecvTimeout,
    ChanClose,
    ChanIsClosed,
    ChanLen,
    ChanCapacity,
    MutexNew,
    MutexLock,
    MutexUnlock,
    MutexTryLock,
    /// `m.critical(f = f)`: lock, call `f`, unlock; `f`'s result.
    MutexCritical,
    RwNew,
    RwReadLock,
    RwReadUnlock,
    RwWriteLock,
    RwWriteUnlock,
    /// `l.read(f = f)` / `l.write(f = f)`: as `critical`.
    RwRead,
    RwWrite,
    CondNew,
    CondWait,
    CondSignal,
    CondBroadcast,
    WgNew,
    WgAdd,
    WgDone,
    WgWait,
    SemNew,
    SemAcquire,
    SemRelease,
    SemTryAcquire,
    OnceNew,
    /// `o.call(f = f)`: runs `f` if no task has.
    OnceCall,
    /// `Atomic.init(value = v)`.
    AtomicNew,
    /// Atomic methods; the last argument is the optional `order`.
    AtomicLoad,
    AtomicStore,
    AtomicSwap,
    AtomicAdd,
    AtomicCas,
    TokenNew,
    TokenWithTimeout,
    TokenChild,
    TokenCancel,
    TokenIsCancelled,
    TokenDone,
    TickerNew,
    TickerChannel,
    TickerStop,
    LimiterNew,
    LimiterWait,
    LimiterTryTake,
}

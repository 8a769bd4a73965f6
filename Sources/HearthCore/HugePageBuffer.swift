#if canImport(Glibc)
import Glibc
#endif

/// Uninitialised memory for `capacity` values of `Element`, aligned to 2 MiB and marked for
/// transparent huge pages (Linux's `madvise(MADV_HUGEPAGE)`) when it spans at least one.
///
/// For the large arrays a search scatters into in no particular order, where thousands of
/// interleaved write streams would each land on a 4 KiB page of their own (measured faster on
/// huge pages: Docs/performance.md). Free it with `deallocateHugePageBuffer(_:)`.
func allocateHugePageBuffer<Element>(_ type: Element.Type, capacity: Int) -> UnsafeMutablePointer<Element> {
    let bytes = max(capacity, 1) * MemoryLayout<Element>.stride
    #if canImport(Glibc)
    let hugePage = 2 << 20
    if bytes >= hugePage {
        var address: UnsafeMutableRawPointer?
        if posix_memalign(&address, hugePage, bytes) == 0, let address {
            _ = madvise(address, bytes, MADV_HUGEPAGE)
            return address.bindMemory(to: Element.self, capacity: max(capacity, 1))
        }
    }
    return malloc(bytes)!.bindMemory(to: Element.self, capacity: max(capacity, 1))
    #else
    return UnsafeMutablePointer<Element>.allocate(capacity: max(capacity, 1))
    #endif
}

/// Frees memory from `allocateHugePageBuffer(_:capacity:)`.
func deallocateHugePageBuffer<Element>(_ pointer: UnsafeMutablePointer<Element>) {
    #if canImport(Glibc)
    free(pointer)
    #else
    pointer.deallocate()
    #endif
}

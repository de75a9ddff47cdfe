import CLibical
import HapesiraCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Read helpers over libical components and properties. Every string returned is a Swift copy, so
/// nothing points into libical's ring buffer or into a component after it is freed.
enum LibicalAccess {
    /// The direct child components of one kind, in order.
    static func components(of component: OpaquePointer, _ kind: icalcomponent_kind) -> [OpaquePointer] {
        var result: [OpaquePointer] = []
        var child = icalcomponent_get_first_component(component, kind)
        while let current = child {
            result.append(current)
            child = icalcomponent_get_next_component(component, kind)
        }
        return result
    }

    /// The properties of one kind, in order (libical splits comma-separated multi-values into one property each).
    static func properties(of component: OpaquePointer, _ kind: icalproperty_kind) -> [OpaquePointer] {
        var result: [OpaquePointer] = []
        var property = icalcomponent_get_first_property(component, kind)
        while let current = property {
            result.append(current)
            property = icalcomponent_get_next_property(component, kind)
        }
        return result
    }

    static func first(of component: OpaquePointer, _ kind: icalproperty_kind) -> OpaquePointer? {
        icalcomponent_get_first_property(component, kind)
    }

    /// A parameter's value by name (`CN`, `CUTYPE`, `TZID`, …), unquoted; nil when absent.
    static func parameter(_ property: OpaquePointer, _ name: String) -> String? {
        taking(icalproperty_get_parameter_as_string_r(property, name))
    }

    /// The value as libical serialises it (enumerations, recurrence rules); TEXT values stay escaped.
    static func valueText(_ property: OpaquePointer) -> String? {
        taking(icalproperty_get_value_as_string_r(property))
    }

    /// Copies a string libical returned from a getter or its ring buffer (not to be freed).
    static func copy(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// Copies and frees a string libical returned from an `_r` function.
    static func taking(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}

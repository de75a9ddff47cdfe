import CLibical
import HapesiraCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small helpers for building libical components; every property added to a component is owned by it.
enum LibicalBuilding {
    /// Adds `property` (if libical created it) to `component`, with the given parameters.
    static func add(_ property: OpaquePointer?, to component: OpaquePointer, _ parameters: OpaquePointer?...) {
        guard let property else {
            // libical owns nothing yet: free the parameters that will not be attached.
            for case let parameter? in parameters { icalparameter_free(parameter) }
            return
        }
        for case let parameter? in parameters { icalproperty_add_parameter(property, parameter) }
        icalcomponent_add_property(component, property)
    }

    /// An `X-` property with a text value. libical 3.0.16 escapes backslashes and newlines in `X-`
    /// values but leaves commas and semicolons as they are (clients read `X-WR-*` as one text).
    static func x(_ name: String, _ value: String) -> OpaquePointer? {
        guard let property = icalproperty_new_x(value) else { return nil }
        icalproperty_set_x_name(property, name)
        return property
    }

    /// A `CalendarAddress` as a property (`ORGANIZER`, `ATTENDEE`) with its `CN`.
    static func add(
        _ address: CalendarAddress, as make: (String) -> OpaquePointer?, to component: OpaquePointer
    ) {
        add(make(address.uri), to: component, address.commonName.flatMap { icalparameter_new_cn($0) })
    }

    /// Serialises a component tree (CRLF, folded) and frees the libical string.
    static func serialise(_ component: OpaquePointer) -> String {
        guard let text = icalcomponent_as_ical_string_r(component) else { return "" }
        defer { free(text) }
        return String(cString: text)
    }
}

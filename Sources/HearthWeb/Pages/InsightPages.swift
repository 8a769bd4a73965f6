import HearthStore
import Hummingbird

/// `GET /insight`: what regional insight will show (sufficiency, forecasts, what-if), for every
/// signed-in person; the figures come with the insight work (hearthctl insight today).
struct InsightPages: WebPageGroup {
    func register(on routes: WebRoutes) {
        let environment = routes.environment
        routes.signedIn.get("insight") { _, context in
            _ = try context.requirePerson(Set(KeyRole.allCases))
            return try environment.render("insight", context: context)
        }
    }
}

//! A module's routes, each with its declared access rule, enforced by a guard on the resource.
//!
//! Handlers are registered through [`RouteTable`], which has no way to add a route without an
//! [`Access`]. The table also lists its routes, so start-up can compare them with the OpenAPI
//! document and refuse an undocumented or unrouted endpoint.

use crate::{
    auth::{bearer_token, Access, Authenticator},
    error::ApiError,
};
use actix_web::{
    body::EitherBody,
    dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform},
    http::Method,
    web, FromRequest, Handler, HttpMessage, Responder,
};
use futures_util::future::LocalBoxFuture;
use std::{
    collections::{BTreeMap, HashMap},
    future::{ready, Ready},
    rc::Rc,
    sync::Arc,
};

/// One declared route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    /// Path under `/api/v1`, with `{param}` placeholders.
    pub path: String,
    pub access: Access,
}

type DataRegistration = Box<dyn FnOnce(&mut web::ServiceConfig)>;

/// Routes of one module, built once per worker.
pub struct RouteTable {
    entries: Vec<(RouteSpec, actix_web::Route)>,
    /// (method, path) → schema keeping the route's `Idempotency-Key` records.
    idempotent: Vec<(Method, String, &'static str)>,
    data: Vec<DataRegistration>,
}

impl Default for RouteTable {
    fn default() -> Self {
        Self::new()
    }
}

impl RouteTable {
    pub fn new() -> Self {
        Self {
            entries: Vec::new(),
            idempotent: Vec::new(),
            data: Vec::new(),
        }
    }

    pub fn route<F, Args>(
        &mut self,
        method: Method,
        path: &str,
        access: Access,
        handler: F,
    ) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let route = web::method(method.clone()).to(handler);
        self.entries.push((
            RouteSpec {
                method,
                path: path.to_owned(),
                access,
            },
            route,
        ));
        self
    }

    pub fn get<F, Args>(&mut self, path: &str, access: Access, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.route(Method::GET, path, access, handler)
    }

    pub fn post<F, Args>(&mut self, path: &str, access: Access, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.route(Method::POST, path, access, handler)
    }

    pub fn put<F, Args>(&mut self, path: &str, access: Access, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.route(Method::PUT, path, access, handler)
    }

    pub fn patch<F, Args>(&mut self, path: &str, access: Access, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.route(Method::PATCH, path, access, handler)
    }

    pub fn delete<F, Args>(&mut self, path: &str, access: Access, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.route(Method::DELETE, path, access, handler)
    }

    /// Makes the route registered last honour `Idempotency-Key`, with records in `schema`.
    pub fn idempotent(&mut self, schema: &'static str) -> &mut Self {
        if let Some((spec, _)) = self.entries.last() {
            self.idempotent
                .push((spec.method.clone(), spec.path.clone(), schema));
        }
        self
    }

    /// Shared state for this module's handlers.
    pub fn app_data<T: 'static>(&mut self, data: web::Data<T>) -> &mut Self {
        self.data.push(Box::new(move |cfg| {
            cfg.app_data(data);
        }));
        self
    }

    pub fn specs(&self) -> Vec<RouteSpec> {
        self.entries.iter().map(|(spec, _)| spec.clone()).collect()
    }

    /// Mounts the routes: one resource per path, guarded by its access rules; other methods 405.
    pub fn configure(self, cfg: &mut web::ServiceConfig) {
        for register in self.data {
            register(cfg);
        }
        let mut by_path: BTreeMap<String, Vec<(RouteSpec, actix_web::Route)>> = BTreeMap::new();
        for (spec, route) in self.entries {
            by_path
                .entry(spec.path.clone())
                .or_default()
                .push((spec, route));
        }
        for (path, routes) in by_path {
            let rules: HashMap<Method, Access> = routes
                .iter()
                .map(|(s, _)| (s.method.clone(), s.access))
                .collect();
            let idempotent: HashMap<Method, &'static str> = self
                .idempotent
                .iter()
                .filter(|(_, p, _)| *p == path)
                .map(|(m, _, schema)| (m.clone(), *schema))
                .collect();
            let methods: Vec<Method> = routes.iter().map(|(s, _)| s.method.clone()).collect();
            let mut resource = web::resource(path.as_str());
            for (_, route) in routes {
                resource = resource.route(route);
            }
            // The access guard is outermost: only authorised requests may claim a key.
            cfg.service(
                resource
                    .default_service(web::to(crate::http::method_not_allowed_for(&methods)))
                    .wrap(crate::idempotency::Idempotency {
                        schemas: Arc::new(idempotent),
                        body_limit: crate::idempotency::BODY_LIMIT,
                    })
                    .wrap(AccessGuard {
                        rules: Arc::new(rules),
                    }),
            );
        }
    }
}

/// Enforces the access rule of the requested method before the handler runs.
struct AccessGuard {
    rules: Arc<HashMap<Method, Access>>,
}

impl<S, B> Transform<S, ServiceRequest> for AccessGuard
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = AccessGuardService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(AccessGuardService {
            service: Rc::new(service),
            rules: self.rules.clone(),
        }))
    }
}

pub struct AccessGuardService<S> {
    service: Rc<S>,
    rules: Arc<HashMap<Method, Access>>,
}

impl<S, B> Service<ServiceRequest> for AccessGuardService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        // A method without a rule has no route either: the resource answers 405.
        let access = self
            .rules
            .get(req.method())
            .copied()
            .unwrap_or(Access::Public);
        Box::pin(async move {
            if !matches!(access, Access::Public | Access::CheckedByHandler(_)) {
                let verdict = match authenticate(&req).await {
                    Ok(caller) => access.check(&caller).map(|()| caller),
                    Err(error) => Err(error),
                };
                let verdict = match (
                    verdict,
                    req.app_data::<web::Data<crate::rate_limit::RateLimiter>>(),
                ) {
                    (Ok(caller), Some(limiter)) => {
                        limiter.charge_user(caller.subject).await.map(|()| caller)
                    }
                    (verdict, _) => verdict,
                };
                match verdict {
                    Ok(caller) => {
                        req.extensions_mut().insert(caller);
                    }
                    Err(error) => return Ok(req.error_response(error).map_into_right_body()),
                }
            } else if let Some(token) = bearer_token(&req) {
                // Public routes still learn who calls when a valid token is offered.
                if let Some(auth) = req.app_data::<web::Data<dyn Authenticator>>().cloned() {
                    if let Ok(caller) = auth.authenticate(&token).await {
                        req.extensions_mut().insert(caller);
                    }
                }
            }
            service
                .call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        })
    }
}

async fn authenticate(req: &ServiceRequest) -> Result<crate::auth::Caller, ApiError> {
    let token =
        bearer_token(req).ok_or_else(|| ApiError::unauthorized("a bearer token is required"))?;
    let authenticator = req
        .app_data::<web::Data<dyn Authenticator>>()
        .cloned()
        .ok_or_else(|| ApiError::unauthorized("token verification is not available"))?;
    authenticator.authenticate(&token).await
}

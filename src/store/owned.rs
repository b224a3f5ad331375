//! The store's own graphs as the dataset of its named queries.
//!
//! Users may write the default graph and graphs of their own (SPARQL Update, the Graph Store
//! Protocol). What the store's readers answer (papers, citations, gaps, hypotheses and their
//! status rules, novelty) must not change with those writes, so every named query runs over a
//! dataset whose default graph is the union of the graphs the store owns (`{base}graph/…`,
//! `{base}np/…`), not the union of all graphs.
//!
//! oxigraph can take a default graph as a list of graphs, but evaluates a pattern once per
//! listed graph: a store holds two graphs per paper, so that would cost one index seek per paper
//! for every pattern. Instead each named query is rewritten once, at first use, into the same
//! query over named graphs: every triple pattern outside a `GRAPH` becomes `GRAPH ?g_i { tp }`
//! with `?g_i` under an owned prefix, which is exactly "a triple of the union of owned graphs"
//! (with the union's duplicates, as oxigraph's union default graph has them). Every `GRAPH ?var`
//! gets the same condition; a `GRAPH <iri>` must name an owned graph. Property paths outside a
//! `GRAPH` are expanded into what they mean on a union of graphs: a sequence is a join through a
//! hidden variable, an alternative a union, an inverse swaps its ends. Paths of arbitrary length
//! (`*`, `+`, `?`) and negated property sets would have to cross graphs step by step; a named
//! query that uses one is refused when it is first run, and `tests/it/queries.rs` runs them all.
//!
//! **Invariant:** no pattern of a rewritten query reads a graph outside the owned prefixes; the
//! query's own default graph is set to no graph at all, so a pattern the rewrite missed reads
//! nothing rather than user data.

use spargebra::algebra::{
    AggregateExpression, Expression, Function, GraphPattern, OrderExpression, PropertyPathExpression,
};
use spargebra::term::{Literal, NamedNodePattern, TermPattern, TriplePattern, Variable};
use spargebra::Query;

/// Rewrites `query` to read only graphs whose IRI starts with one of `prefixes`.
pub(crate) fn restrict(query: Query, prefixes: &[String]) -> Result<Query, String> {
    let mut rw = Rewriter { prefixes, fresh: 0 };
    Ok(match query {
        Query::Select {
            dataset,
            pattern,
            base_iri,
        } => Query::Select {
            dataset: reject_dataset(dataset)?,
            pattern: rw.pattern(pattern, false)?,
            base_iri,
        },
        Query::Construct {
            template,
            dataset,
            pattern,
            base_iri,
        } => Query::Construct {
            template,
            dataset: reject_dataset(dataset)?,
            pattern: rw.pattern(pattern, false)?,
            base_iri,
        },
        Query::Describe {
            dataset,
            pattern,
            base_iri,
        } => Query::Describe {
            dataset: reject_dataset(dataset)?,
            pattern: rw.pattern(pattern, false)?,
            base_iri,
        },
        Query::Ask {
            dataset,
            pattern,
            base_iri,
        } => Query::Ask {
            dataset: reject_dataset(dataset)?,
            pattern: rw.pattern(pattern, false)?,
            base_iri,
        },
    })
}

/// A named query names no dataset of its own (`FROM` would bypass the owned view).
fn reject_dataset<T>(dataset: Option<T>) -> Result<Option<T>, String> {
    match dataset {
        None => Ok(None),
        Some(_) => Err("a named query may not have FROM or FROM NAMED".into()),
    }
}

/// Whether `graph` is one of the store's own graphs.
pub(crate) fn is_owned(graph: &str, prefixes: &[String]) -> bool {
    prefixes.iter().any(|p| graph.starts_with(p.as_str()))
}

struct Rewriter<'a> {
    prefixes: &'a [String],
    fresh: usize,
}

impl Rewriter<'_> {
    /// A variable no named query uses (their names are plain words).
    fn fresh(&mut self, what: &str) -> Variable {
        self.fresh += 1;
        Variable::new_unchecked(format!("__owned_{what}{}", self.fresh))
    }

    /// `STRSTARTS(STR(?g), p1) || STRSTARTS(STR(?g), p2) …`
    fn owned(&self, g: &Variable) -> Expression {
        let mut conditions = self.prefixes.iter().map(|p| {
            Expression::FunctionCall(
                Function::StrStarts,
                vec![
                    Expression::FunctionCall(Function::Str, vec![Expression::Variable(g.clone())]),
                    Expression::Literal(Literal::new_simple_literal(p.as_str())),
                ],
            )
        });
        let first = conditions
            .next()
            .unwrap_or_else(|| Expression::Literal(Literal::from(false)));
        conditions.fold(first, |acc, c| Expression::Or(Box::new(acc), Box::new(c)))
    }

    /// One triple pattern of the union of owned graphs: `GRAPH ?g { tp }` and the graph's
    /// condition, returned apart so that a whole BGP gets one filter.
    fn quad(&mut self, tp: TriplePattern) -> (GraphPattern, Expression) {
        let g = self.fresh("g");
        let condition = self.owned(&g);
        let pattern = GraphPattern::Graph {
            name: NamedNodePattern::Variable(g),
            inner: Box::new(GraphPattern::Bgp { patterns: vec![tp] }),
        };
        (pattern, condition)
    }

    fn pattern(&mut self, p: GraphPattern, in_graph: bool) -> Result<GraphPattern, String> {
        Ok(match p {
            GraphPattern::Bgp { patterns } if !in_graph && !patterns.is_empty() => {
                let parts: Vec<(GraphPattern, Expression)> = patterns.into_iter().map(|tp| self.quad(tp)).collect();
                filtered_join(parts)
            }
            GraphPattern::Path { subject, path, object } if !in_graph => self.path(subject, path, object)?,
            p @ (GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. }) => p,
            GraphPattern::Graph { name, inner } => {
                let inner = Box::new(self.pattern(*inner, true)?);
                match name {
                    NamedNodePattern::Variable(v) => GraphPattern::Filter {
                        expr: self.owned(&v),
                        inner: Box::new(GraphPattern::Graph {
                            name: NamedNodePattern::Variable(v),
                            inner,
                        }),
                    },
                    NamedNodePattern::NamedNode(n) => {
                        if !is_owned(n.as_str(), self.prefixes) {
                            return Err(format!("GRAPH {n} is not a graph the store owns"));
                        }
                        GraphPattern::Graph {
                            name: NamedNodePattern::NamedNode(n),
                            inner,
                        }
                    }
                }
            }
            GraphPattern::Join { left, right } => GraphPattern::Join {
                left: Box::new(self.pattern(*left, in_graph)?),
                right: Box::new(self.pattern(*right, in_graph)?),
            },
            GraphPattern::LeftJoin {
                left,
                right,
                expression,
            } => GraphPattern::LeftJoin {
                left: Box::new(self.pattern(*left, in_graph)?),
                right: Box::new(self.pattern(*right, in_graph)?),
                expression: expression.map(|e| self.expression(e, in_graph)).transpose()?,
            },
            GraphPattern::Filter { expr, inner } => GraphPattern::Filter {
                expr: self.expression(expr, in_graph)?,
                inner: Box::new(self.pattern(*inner, in_graph)?),
            },
            GraphPattern::Union { left, right } => GraphPattern::Union {
                left: Box::new(self.pattern(*left, in_graph)?),
                right: Box::new(self.pattern(*right, in_graph)?),
            },
            GraphPattern::Minus { left, right } => GraphPattern::Minus {
                left: Box::new(self.pattern(*left, in_graph)?),
                right: Box::new(self.pattern(*right, in_graph)?),
            },
            GraphPattern::Extend {
                inner,
                variable,
                expression,
            } => GraphPattern::Extend {
                inner: Box::new(self.pattern(*inner, in_graph)?),
                variable,
                expression: self.expression(expression, in_graph)?,
            },
            GraphPattern::OrderBy { inner, expression } => GraphPattern::OrderBy {
                inner: Box::new(self.pattern(*inner, in_graph)?),
                expression: expression
                    .into_iter()
                    .map(|o| {
                        Ok(match o {
                            OrderExpression::Asc(e) => OrderExpression::Asc(self.expression(e, in_graph)?),
                            OrderExpression::Desc(e) => OrderExpression::Desc(self.expression(e, in_graph)?),
                        })
                    })
                    .collect::<Result<_, String>>()?,
            },
            GraphPattern::Project { inner, variables } => GraphPattern::Project {
                inner: Box::new(self.pattern(*inner, in_graph)?),
                variables,
            },
            GraphPattern::Distinct { inner } => GraphPattern::Distinct {
                inner: Box::new(self.pattern(*inner, in_graph)?),
            },
            GraphPattern::Reduced { inner } => GraphPattern::Reduced {
                inner: Box::new(self.pattern(*inner, in_graph)?),
            },
            GraphPattern::Slice { inner, start, length } => GraphPattern::Slice {
                inner: Box::new(self.pattern(*inner, in_graph)?),
                start,
                length,
            },
            GraphPattern::Group {
                inner,
                variables,
                aggregates,
            } => GraphPattern::Group {
                inner: Box::new(self.pattern(*inner, in_graph)?),
                variables,
                aggregates: aggregates
                    .into_iter()
                    .map(|(v, a)| {
                        Ok((
                            v,
                            match a {
                                AggregateExpression::FunctionCall { name, expr, distinct } => {
                                    AggregateExpression::FunctionCall {
                                        name,
                                        expr: self.expression(expr, in_graph)?,
                                        distinct,
                                    }
                                }
                                count @ AggregateExpression::CountSolutions { .. } => count,
                            },
                        ))
                    })
                    .collect::<Result<_, String>>()?,
            },
            GraphPattern::Service { .. } => return Err("a named query may not call SERVICE".into()),
            // LATERAL (a SPARQL extension some builds enable) is not used by named queries.
            #[allow(unreachable_patterns)]
            other => return Err(format!("a named query may not use {other}")),
        })
    }

    /// A property path over the union of owned graphs, as joins and unions of single triples.
    fn path(
        &mut self,
        subject: TermPattern,
        path: PropertyPathExpression,
        object: TermPattern,
    ) -> Result<GraphPattern, String> {
        Ok(match path {
            PropertyPathExpression::NamedNode(p) => {
                let (pattern, condition) = self.quad(TriplePattern {
                    subject,
                    predicate: NamedNodePattern::NamedNode(p),
                    object,
                });
                filtered_join(vec![(pattern, condition)])
            }
            PropertyPathExpression::Reverse(p) => self.path(object, *p, subject)?,
            PropertyPathExpression::Sequence(a, b) => {
                let middle = TermPattern::Variable(self.fresh("step"));
                GraphPattern::Join {
                    left: Box::new(self.path(subject, *a, middle.clone())?),
                    right: Box::new(self.path(middle, *b, object)?),
                }
            }
            PropertyPathExpression::Alternative(a, b) => GraphPattern::Union {
                left: Box::new(self.path(subject.clone(), *a, object.clone())?),
                right: Box::new(self.path(subject, *b, object)?),
            },
            other => {
                return Err(format!(
                    "the path {other} would cross graphs step by step; write it inside GRAPH or as triples"
                ))
            }
        })
    }

    fn expression(&mut self, e: Expression, in_graph: bool) -> Result<Expression, String> {
        let two = |a: Box<Expression>, b: Box<Expression>, rw: &mut Self| -> Result<_, String> {
            Ok((
                Box::new(rw.expression(*a, in_graph)?),
                Box::new(rw.expression(*b, in_graph)?),
            ))
        };
        Ok(match e {
            Expression::Exists(p) => Expression::Exists(Box::new(self.pattern(*p, in_graph)?)),
            Expression::Or(a, b) => {
                let (a, b) = two(a, b, self)?;
                Expression::Or(a, b)
            }
            Expression::And(a, b) => {
                let (a, b) = two(a, b, self)?;
                Expression::And(a, b)
            }
            Expression::Equal(a, b) => {
                let (a, b) = two(a, b, self)?;
                Expression::Equal(a, b)
            }
            Expression::SameTerm(a, b) => {
                let (a, b) = two(a, b, self)?;
                Expression::SameTerm(a, b)
            }
            Expression::Greater(a, b) => {
                let (a, b) = two(a, b, self)?;
                Expression::Greater(a, b)
            }
            Expression::GreaterOrEqual(a, b) => {
                let (a, b) = two(a, b, self)?;
                Expression::GreaterOrEqual(a, b)
            }
            Expression::Less(a, b) => {
                let (a, b) = two(a, b, self)?;
                Expression::Less(a, b)
            }
            Expression::LessOrEqual(a, b) => {
                let (a, b) = two(a, b, self)?;
                Expression::LessOrEqual(a, b)
            }
            Expression::Add(a, b) => {
                let (a, b) = two(a, b, self)?;
                Expression::Add(a, b)
            }
            Expression::Subtract(a, b) => {
                let (a, b) = two(a, b, self)?;
                Expression::Subtract(a, b)
            }
            Expression::Multiply(a, b) => {
                let (a, b) = two(a, b, self)?;
                Expression::Multiply(a, b)
            }
            Expression::Divide(a, b) => {
                let (a, b) = two(a, b, self)?;
                Expression::Divide(a, b)
            }
            Expression::In(a, list) => Expression::In(
                Box::new(self.expression(*a, in_graph)?),
                list.into_iter()
                    .map(|e| self.expression(e, in_graph))
                    .collect::<Result<_, _>>()?,
            ),
            Expression::UnaryPlus(a) => Expression::UnaryPlus(Box::new(self.expression(*a, in_graph)?)),
            Expression::UnaryMinus(a) => Expression::UnaryMinus(Box::new(self.expression(*a, in_graph)?)),
            Expression::Not(a) => Expression::Not(Box::new(self.expression(*a, in_graph)?)),
            Expression::If(a, b, c) => Expression::If(
                Box::new(self.expression(*a, in_graph)?),
                Box::new(self.expression(*b, in_graph)?),
                Box::new(self.expression(*c, in_graph)?),
            ),
            Expression::Coalesce(list) => Expression::Coalesce(
                list.into_iter()
                    .map(|e| self.expression(e, in_graph))
                    .collect::<Result<_, _>>()?,
            ),
            Expression::FunctionCall(f, args) => Expression::FunctionCall(
                f,
                args.into_iter()
                    .map(|e| self.expression(e, in_graph))
                    .collect::<Result<_, _>>()?,
            ),
            leaf @ (Expression::NamedNode(_)
            | Expression::Literal(_)
            | Expression::Variable(_)
            | Expression::Bound(_)) => leaf,
        })
    }
}

/// The join of `parts` under the conjunction of their conditions (oxigraph's optimiser pushes
/// each condition down to where its graph variable is bound).
fn filtered_join(parts: Vec<(GraphPattern, Expression)>) -> GraphPattern {
    let mut parts = parts.into_iter();
    let Some((mut pattern, mut condition)) = parts.next() else {
        return GraphPattern::Bgp { patterns: Vec::new() };
    };
    for (p, c) in parts {
        pattern = GraphPattern::Join {
            left: Box::new(pattern),
            right: Box::new(p),
        };
        condition = Expression::And(Box::new(condition), Box::new(c));
    }
    GraphPattern::Filter {
        expr: condition,
        inner: Box::new(pattern),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(q: &str) -> Result<String, String> {
        let prefixes = ["http://x/graph/".to_string(), "http://x/np/".to_string()];
        let query = spargebra::SparqlParser::new()
            .parse_query(q)
            .map_err(|e| e.to_string())?;
        restrict(query, &prefixes).map(|q| q.to_string())
    }

    #[test]
    fn default_graph_triples_read_owned_graphs_only() {
        let q = rewrite("SELECT ?s WHERE { ?s <http://p> ?o . ?o <http://q> 1 }").unwrap();
        assert_eq!(q.matches("GRAPH ?__owned_g").count(), 2, "{q}");
        assert_eq!(q.matches("STRSTARTS").count(), 4, "{q}");
    }

    #[test]
    fn graph_variables_are_restricted_and_foreign_constants_refused() {
        let q = rewrite("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").unwrap();
        assert!(q.contains("STRSTARTS(STR(?g)"), "{q}");
        assert!(rewrite("SELECT * WHERE { GRAPH <http://x/graph/paper/1> { ?s ?p ?o } }").is_ok());
        assert!(rewrite("SELECT * WHERE { GRAPH <http://user/g> { ?s ?p ?o } }").is_err());
    }

    #[test]
    fn paths_expand_into_triples_and_unbounded_paths_are_refused() {
        let q = rewrite("SELECT ?a ?c WHERE { ?a <http://p>/^<http://q>|<http://r> ?c }").unwrap();
        assert_eq!(q.matches("GRAPH ?__owned_g").count(), 3, "{q}");
        assert!(rewrite("SELECT ?a ?c WHERE { ?a <http://p>+ ?c }").is_err());
        assert!(rewrite("SELECT ?a WHERE { FILTER EXISTS { ?a <http://p> ?c } }")
            .unwrap()
            .contains("GRAPH ?__owned_g"));
    }

    #[test]
    fn from_and_service_are_refused() {
        assert!(rewrite("SELECT * FROM <http://x/graph/a> WHERE { ?s ?p ?o }").is_err());
        assert!(rewrite("SELECT * WHERE { SERVICE <http://s> { ?s ?p ?o } }").is_err());
    }
}

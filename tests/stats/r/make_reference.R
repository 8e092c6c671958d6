# Generates tests/stats/data/r_reference.json, the golden values for tests/stats.
# Run from the repository root:  Rscript tests/stats/r/make_reference.R
# Needs base R and the 'survival' package only.  CI never runs this; it reads the JSON.
suppressPackageStartupMessages(library(survival))

num <- function(v) {
  if (is.null(v) || length(v) == 0) return("null")
  s <- fmt(v)
  if (length(v) == 1) s else paste0("[", paste(s, collapse = ","), "]")
}
fmt <- function(v) ifelse(is.na(v), "null", ifelse(is.infinite(v), ifelse(v > 0, "1e999", "-1e999"), sprintf("%.17g", v)))
vec <- function(v) paste0("[", paste(fmt(v), collapse = ","), "]")
str_ <- function(s) paste0("\"", s, "\"")
tab <- function(m) paste0("[", paste(apply(m, 1, function(r) vec(r)), collapse = ","), "]")
obj <- function(...) {
  x <- list(...)
  paste0("{", paste(sprintf("\"%s\":%s", names(x), unlist(x)), collapse = ","), "}")
}
cases <- character(0)
add <- function(s) cases <<- c(cases, s)

# ---- contingency tables --------------------------------------------------------------
t2 <- read.delim("tests/stats/data/table2_counts.tsv", comment.char = "#", colClasses = "character")
tables <- list()
for (i in seq_len(nrow(t2))) {
  ev <- as.integer(strsplit(t2$events[i], ",")[[1]])
  tot <- as.integer(strsplit(t2$totals[i], ",")[[1]])
  tables[[paste(t2$comparison[i], t2$row[i])]] <- cbind(ev, tot - ev)
}
random_tables <- list(
  matrix(c(3,3,0,1,1,0,0,0,0,1,3,1,0,4,6,2,2,5,1,0), nrow=4),
  matrix(c(2,1,1,2,1,3,0,3,0,1,5,1,0,0,4,1), nrow=4),
  matrix(c(4,2,1,3,2,1,0,1,2,0,3,1,3,0,3,1,4,1,3,1), nrow=4),
  matrix(c(2,4,4,11,1,14), nrow=2),
  matrix(c(8,8,3,4,3,4,9,8), nrow=4),
  matrix(c(1,1,0,3,2,9,7,3,1,0), nrow=2),
  matrix(c(12,6,5,5,2,5,2,13), nrow=2),
  matrix(c(0,3,2,4,7,1,3,2,3,7,3,2,7,2,7), nrow=3),
  matrix(c(4,6,4,5), nrow=2),
  matrix(c(2,0,1,1,0,0,0,2,0,1,1,0,0,1,0,0,1,1,0,0), nrow=4),
  matrix(c(0,1,2,1,1,9,12,1,4,2), nrow=2),
  matrix(c(3,4,11,6,4,11,6,9), nrow=2),
  matrix(c(0,4,2,3,5,8,2,3,4), nrow=3),
  matrix(c(4,3,15,5,3,1), nrow=2),
  matrix(c(7,3,1,2,12,2,2,3,0,2,1,0), nrow=3),
  matrix(c(15,16,16,6), nrow=2),
  matrix(c(0,0,2,1,0,0,0,1,1,0,3,1,0,0,1), nrow=3),
  matrix(c(1,0,3,1,2,6,4,0,0,2,3,6,2,4,3,4), nrow=4),
  matrix(c(3,5,0,0,0,1), nrow=3),
  matrix(c(2,0,3,0,2,4,1,0,4,0,1,1), nrow=4),
  matrix(c(0,1,3,1,2,2,6,1,0,1), nrow=2),
  matrix(c(4,7,6,2,2,0,1,2,2,0,4,7,1,2,5), nrow=3),
  matrix(c(1,1,0,0,2,0,0,3,2), nrow=3),
  matrix(c(3,0,3,0,1,1,1,3,0,3), nrow=2),
  matrix(c(4,6,4,1,1,0), nrow=2),
  matrix(c(15,6,5,7,6,12,4,2), nrow=2),
  matrix(c(3,2,0,5,1,3,7,1,5,3,10,6), nrow=4),
  matrix(c(5,20,1,3,1,6), nrow=2),
  matrix(c(1,12,3,15), nrow=2),
  matrix(c(2,1,0,2,1,0,1,1,2,0,3,5,0,3,3,3,0,3,4,4), nrow=4),
  matrix(c(8,1,2,5,3,4), nrow=2),                                   # scipy docs example
  matrix(c(10,3,4,8,7,10,3,5,8,7,4,10,7,6,6), nrow=3),            # 3x5, n = 98
  matrix(c(1,11,5,27,0,20,4,8,26,0,5,13,1,11,22,1,14,0,25,6), nrow=2) # 2x10, n = 200 (hard)
)
names(random_tables) <- paste("random", seq_along(random_tables))
names(random_tables)[length(random_tables) - 2] <- "scipy docs 2x3"
names(random_tables)[length(random_tables) - 1] <- "3x5 n=98"
names(random_tables)[length(random_tables)] <- "2x10 n=200 hard"
tables <- c(tables, random_tables)

for (nm in names(tables)) {
  m <- tables[[nm]]
  ws <- if (sum(m) > 150) 2e9 else 2e7
  ft <- tryCatch(fisher.test(m, workspace = ws), error = function(e) NULL)
  if (is.null(ft)) next
  extra <- if (all(dim(m) == 2)) list(or = num(unname(ft$estimate)), or_ci = vec(ft$conf.int)) else list()
  add(do.call(obj, c(list(kind = str_("fisher"), name = str_(nm), table = tab(m), p = num(ft$p.value)), extra)))
  for (corr in c(FALSE, TRUE)) {
    ct <- suppressWarnings(chisq.test(m, correct = corr))
    add(obj(kind = str_("chisq"), name = str_(nm), table = tab(m), correct = tolower(corr),
            statistic = num(unname(ct$statistic)), df = num(unname(ct$parameter)), p = num(ct$p.value)))
  }
}

# ---- two-sample location tests ------------------------------------------------------
set.seed(20210301)
x_small <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46)  # ?wilcox.test
y_small <- c(1.15, 0.88, 0.90, 0.74, 1.21)
age_p1 <- c(45, 12, 60, 33, 80, 45, 22, 100, 15, 60, 38, 72, 55, 55, 90, 14, 66, 48)  # tied
age_p2 <- c(16, 10, 22, 8, 16, 30, 12, 5, 45, 20, 16, 9, 60, 18)
g1 <- round(rnorm(32, 55, 20), 1); g2 <- round(rnorm(25, 40, 25), 1)        # n >= 50 total
g3 <- round(rexp(60, 1 / 30)); g4 <- round(rexp(55, 1 / 20))                  # large, tied
pairs <- list(small = list(x_small, y_small), ages = list(age_p1, age_p2),
              normal = list(g1, g2), skewed = list(g3, g4))
for (nm in names(pairs)) {
  x <- pairs[[nm]][[1]]; y <- pairs[[nm]][[2]]
  for (mode in c("auto", "asymptotic_cc", "asymptotic_nocc")) {
    w <- suppressWarnings(switch(mode,
      auto = wilcox.test(x, y, conf.int = TRUE),
      asymptotic_cc = wilcox.test(x, y, conf.int = TRUE, exact = FALSE, correct = TRUE),
      asymptotic_nocc = wilcox.test(x, y, conf.int = TRUE, exact = FALSE, correct = FALSE)))
    add(obj(kind = str_("wilcox"), name = str_(nm), mode = str_(mode), x = vec(x), y = vec(y),
            W = num(unname(w$statistic)), p = num(w$p.value), estimate = num(unname(w$estimate)),
            ci = vec(w$conf.int)))
  }
  for (ve in c(TRUE, FALSE)) {
    tt <- t.test(x, y, var.equal = ve)
    add(obj(kind = str_("ttest"), name = str_(nm), var_equal = tolower(ve), x = vec(x), y = vec(y),
            statistic = num(unname(tt$statistic)), df = num(unname(tt$parameter)), p = num(tt$p.value),
            ci = vec(tt$conf.int)))
  }
  for (s in list(x, y)) {
    sw <- shapiro.test(s)
    add(obj(kind = str_("shapiro"), name = str_(nm), x = vec(s), W = num(unname(sw$statistic)), p = num(sw$p.value)))
  }
}
sw <- shapiro.test(c(2.1, 3.4, 1.9)); add(obj(kind = str_("shapiro"), name = str_("n=3"), x = vec(c(2.1, 3.4, 1.9)), W = num(unname(sw$statistic)), p = num(sw$p.value)))
big <- round(rlnorm(300), 3); sw <- shapiro.test(big)
add(obj(kind = str_("shapiro"), name = str_("lognormal n=300"), x = vec(big), W = num(unname(sw$statistic)), p = num(sw$p.value)))

# ---- k-sample tests -----------------------------------------------------------------
sub_ages <- list(c(45.4, 30, 12, 80, 66, 24, 50, 41, 38, 90, 15, 60, 45.4, 33, 70, 28, 52, 19, 61, 47, 36),
                 c(66, 90, 14, 70, 55), c(80.5, 100, 20, 81, 62, 95))
gsets <- list(subpattern_ages = sub_ages,
              normal3 = list(round(rnorm(12, 10, 2), 2), round(rnorm(9, 12, 2), 2), round(rnorm(15, 11, 3), 2)),
              four = list(c(1, 2, 2, 3, 5), c(2, 4, 4, 6), c(5, 7, 7, 8, 9, 9), c(3, 3, 4)))
for (nm in names(gsets)) {
  gs <- gsets[[nm]]
  grp <- factor(rep(seq_along(gs), lengths(gs))); val <- unlist(gs)
  kw <- kruskal.test(val ~ grp)
  ow <- oneway.test(val ~ grp, var.equal = TRUE)
  gjson <- paste0("[", paste(sapply(gs, vec), collapse = ","), "]")
  add(obj(kind = str_("kruskal"), name = str_(nm), groups = gjson, statistic = num(unname(kw$statistic)),
          df = num(unname(kw$parameter)), p = num(kw$p.value)))
  add(obj(kind = str_("anova"), name = str_(nm), groups = gjson, statistic = num(unname(ow$statistic)),
          df = vec(unname(ow$parameter)), p = num(ow$p.value)))
}

# ---- survival -----------------------------------------------------------------------
surv_sets <- list(
  aml = list(time = aml$time, status = aml$status, group = as.character(aml$x)),
  lung3 = list(time = lung$time[1:120], status = lung$status[1:120] - 1,
               group = c("a", "b", "c")[(lung$ph.ecog[1:120] %% 3) + 1]),
  tied_half = list(time = c(1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 8, 9), status = c(1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0),
                   group = rep(c("p1", "p2"), 6))
)
for (nm in names(surv_sets)) {
  d <- surv_sets[[nm]]
  d$group[is.na(d$group)] <- "a"
  sd <- survdiff(Surv(d$time, d$status) ~ d$group)
  add(obj(kind = str_("survdiff"), name = str_(nm), time = vec(d$time), event = vec(d$status),
          group = paste0("[", paste(str_(d$group), collapse = ","), "]"), chisq = num(sd$chisq),
          df = num(length(sd$n) - 1), p = num(pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE)),
          observed = vec(sd$obs), expected = vec(sd$exp), levels = paste0("[", paste(str_(sub("d\\$group=", "", names(sd$n))), collapse = ","), "]")))
  for (g in sort(unique(d$group))) {
    k <- d$group == g
    fit <- survfit(Surv(d$time[k], d$status[k]) ~ 1)
    s <- summary(fit, censored = TRUE)
    q <- quantile(fit, probs = 0.5)
    at <- sort(unique(c(0.5, quantile(d$time[k], c(0.25, 0.5, 0.75)))))
    sa <- summary(fit, times = at, extend = TRUE)
    add(obj(kind = str_("survfit"), name = str_(nm), group = str_(g), time = vec(d$time[k]), event = vec(d$status[k]),
            t = vec(s$time), n_risk = vec(s$n.risk), n_event = vec(s$n.event), surv = vec(s$surv),
            std_err = vec(s$std.err), lower = vec(s$lower), upper = vec(s$upper),
            median = num(unname(q$quantile)), median_lower = num(unname(q$lower)), median_upper = num(unname(q$upper)),
            at = vec(at), at_surv = vec(sa$surv), at_std_err = vec(sa$std.err), at_lower = vec(sa$lower), at_upper = vec(sa$upper)))
  }
}

# ---- multiple comparisons; Newcombe interval written out by hand -----------------------
pv <- c(0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.049, 0.0001)
add(obj(kind = str_("padjust"), p = vec(pv), holm = vec(p.adjust(pv, "holm")), bh = vec(p.adjust(pv, "BH"))))
wilson <- function(k, n, z = qnorm(0.975)) {
  p <- k / n; c <- (p + z^2 / (2 * n)) / (1 + z^2 / n); h <- z * sqrt(p * (1 - p) / n + z^2 / (4 * n^2)) / (1 + z^2 / n)
  c(c - h, c + h)
}
for (nm in names(tables)[1:12]) {
  m <- tables[[nm]]; n1 <- sum(m[1, ]); n2 <- sum(m[2, ]); p1 <- m[1, 1] / n1; p2 <- m[2, 1] / n2
  w1 <- wilson(m[1, 1], n1); w2 <- wilson(m[2, 1], n2)
  lo <- p1 - p2 - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2); hi <- p1 - p2 + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2)
  add(obj(kind = str_("newcombe"), name = str_(nm), table = tab(m), diff = num(p1 - p2), ci = vec(c(lo, hi))))
}

header <- sprintf("generated by tests/stats/r/make_reference.R with %s, survival %s, on %s; DO NOT EDIT",
                  R.version.string, packageVersion("survival"), format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"))
writeLines(c("{", sprintf("\"generated_by\": %s,", str_(header)), "\"cases\": [",
             paste(cases, collapse = ",\n"), "]}"), "tests/stats/data/r_reference.json")
